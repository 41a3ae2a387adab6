"""Following: who follows whom, and the counts a profile shows."""
from peewee import IntegrityError

from suite import pagecache
from suite.auth.models import Follow, User
from suite.errors import InvalidInput
from suite.extensions import db


def follow(follower, followed):
    """Make ``follower`` follow ``followed`` (idempotent; nobody follows themselves)."""
    if follower.id == followed.id:
        raise InvalidInput("You cannot follow yourself.")
    try:
        with db.atomic():
            Follow.create(follower=follower.id, followed=followed.id)
            pagecache.changed("follow")  # dashboards and profiles show who follows whom
    except IntegrityError:
        pass


def unfollow(follower, followed):
    """Stop following (no error when one was not following)."""
    if Follow.delete().where(Follow.follower == follower.id, Follow.followed == followed.id).execute():
        pagecache.changed("follow")


def is_following(follower, followed):
    """True when ``follower`` follows ``followed``."""
    if not getattr(follower, "is_authenticated", False):
        return False
    return Follow.select().where(Follow.follower == follower.id, Follow.followed == followed.id).exists()


def followed_ids(user):
    """Ids of the users ``user`` follows."""
    return [row.followed_id for row in Follow.select(Follow.followed).where(Follow.follower == user.id)]


def counts(user):
    """(followers, following) of a user."""
    followers = Follow.select().where(Follow.followed == user.id).count()
    following = Follow.select().where(Follow.follower == user.id).count()
    return followers, following


def followed_users(user):
    """The users ``user`` follows, by name."""
    return (User.select().join(Follow, on=(Follow.followed == User.id))
            .where(Follow.follower == user.id).order_by(User.name_key))
