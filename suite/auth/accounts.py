"""Account logic: create users, check passwords, throttle failed sign-ins, API tokens."""
import datetime
import re
import secrets

from flask import current_app
from peewee import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from suite import pagecache, search
from suite.auth.models import ApiToken, LoginFailure, LoginSession, User, utcnow
from suite.database import Prepared, one_at_a_time
from suite.errors import Conflict, InvalidInput, RateLimited
from suite.extensions import db
from suite.registry import suite_apps

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 256


def validate_username(username):
    """Raise InvalidInput unless the name is 1–40 letters, digits, `_ . -`, starting alphanumeric."""
    if not USERNAME_RE.match(username or ""):
        raise InvalidInput("Usernames are 1–40 characters: letters, digits, '_', '.' or '-', "
                           "starting with a letter or digit.")


def validate_password(password):
    """Raise InvalidInput for passwords that are too short or too long."""
    if not (MIN_PASSWORD <= len(password or "") <= MAX_PASSWORD):
        raise InvalidInput(f"Passwords are {MIN_PASSWORD} to {MAX_PASSWORD} characters long.")
    if not password.strip():
        raise InvalidInput("A password cannot be only spaces.")


def hash_password(password):
    """werkzeug's scrypt hash of a password."""
    return generate_password_hash(password, method="scrypt")


def create_user(username, password, is_admin=False):
    """Create an account; the very first account becomes an admin."""
    username = (username or "").strip()
    validate_username(username)
    validate_password(password)
    password_hash = hash_password(password)  # slow (scrypt): before the transaction, not inside it
    try:
        with db.atomic():
            one_at_a_time("first user")  # two first sign-ups at once: one admin, not two
            first = not User.select().exists()
            return User.create(username=username, name_key=username.lower(),
                               password_hash=password_hash, is_admin=is_admin or first)
    except IntegrityError:
        raise Conflict(f"The username “{username}” is taken.", code="username_taken") from None


def registration_open():
    """Whether visitors may register themselves."""
    return current_app.config["REGISTRATION"] == "open"


def _window_start():
    return utcnow() - datetime.timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])


def _failures(key):
    return LoginFailure.select().where(LoginFailure.key == key,
                                       LoginFailure.failed_at > _window_start()).count()


def _account_key(username):
    """The throttle's key for a name as typed: every spelling that signs in to one account shares it."""
    return f"user:{(username or '').strip().lower()[:100]}"


def check_throttle(username, ip, pending=0):
    """Raise RateLimited when this account or this IP has failed too often lately.

    ``pending``: how many of the rows counted are this attempt's own (``authenticate`` records an
    attempt before it counts).
    """
    cfg = current_app.config
    too_many = (_failures(_account_key(username)) - pending >= cfg["LOGIN_MAX_FAILURES"]
                or _failures(f"ip:{ip}") - pending >= cfg["LOGIN_MAX_FAILURES_IP"])
    if too_many:
        minutes = max(1, cfg["LOGIN_WINDOW_SECONDS"] // 60)
        raise RateLimited(f"Too many failed sign-in attempts. Try again in {minutes} minutes.",
                          headers={"Retry-After": str(cfg["LOGIN_WINDOW_SECONDS"])})


def authenticate(username, password, ip):
    """The user for these credentials, or None; failures are recorded for throttling.

    The attempt is recorded as a failure before the throttle counts, and taken back if it is refused
    or the password is right: counted after the slow password check instead, sixty guesses sent at
    once would all pass the count before any was recorded (the review's race saw 32 checked of a
    limit of 5). This way the last of any set of checked guesses counts all the others.
    """
    keys = (_account_key(username), f"ip:{ip}")
    mine = [LoginFailure.insert(key=key).execute() for key in keys]
    try:
        check_throttle(username, ip, pending=1)
    except RateLimited:
        LoginFailure.delete().where(LoginFailure.id.in_(mine)).execute()
        raise
    user = User.by_name(username)
    if user and password and check_password_hash(user.password_hash, password):
        LoginFailure.delete().where((LoginFailure.key == _account_key(user.name_key))
                                    | LoginFailure.id.in_(mine)).execute()
        return user
    if not user:
        # Spend the same time as a real check so names cannot be probed by timing.
        check_password_hash(_DUMMY_HASH, password or "")
    LoginFailure.delete().where(LoginFailure.failed_at < _window_start()).execute()
    return None


_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


#: How long a sign-in is kept: the longest a cookie naming it lives (flask-login's remember cookie).
SIGN_IN_DAYS = 365


def start_session(user):
    """Record a new sign-in of ``user`` (one browser) and give the user its id (``login_sid``)."""
    sid = secrets.token_urlsafe(24)
    LoginSession.insert(key=LoginSession.hash(sid), user=user.id).execute()
    LoginSession.delete().where(LoginSession.user == user.id, LoginSession.created_at
                                < utcnow() - datetime.timedelta(days=SIGN_IN_DAYS)).execute()
    user.login_sid = sid
    return sid


def end_session(user):
    """Forget the sign-in ``user`` came with: its cookies, wherever copied, sign in no more,
    and are shown no page kept for them (the page cache answers before anyone is loaded)."""
    if user.login_sid:
        LoginSession.delete().where(LoginSession.key == LoginSession.hash(user.login_sid)).execute()
        pagecache.changed("user")


def end_other_sessions(user):
    """Sign out every other browser of ``user``, pages kept for them included; how many there were."""
    keep = LoginSession.hash(user.login_sid or "")
    ended = LoginSession.delete().where(LoginSession.user == user.id, LoginSession.key != keep).execute()
    if ended:
        pagecache.changed("user")
    return ended


def other_session_count(user):
    """How many other browsers ``user`` is signed in on."""
    keep = LoginSession.hash(user.login_sid or "")
    return LoginSession.select().where(LoginSession.user == user.id, LoginSession.key != keep).count()


def change_password(user, current, new):
    """Set a new password after checking the current one; other sessions are signed out."""
    if not check_password_hash(user.password_hash, current or ""):
        raise InvalidInput("The current password is wrong.")
    validate_password(new)
    user.password_hash = hash_password(new)
    user.session_epoch += 1
    user.save()
    LoginSession.delete().where(LoginSession.user == user.id).execute()  # every browser signs in again
    pagecache.changed("user")  # pages kept for the signed-out sessions go too


def delete_account(user, password):
    """Delete an account and, through foreign keys, what it owns; its items leave the search index."""
    if not check_password_hash(user.password_hash, password or ""):
        raise InvalidInput("The password is wrong.")
    with db.atomic():
        user.delete_instance(recursive=False)
        search.remove_owner(user.id)  # the index keeps owner ids without a foreign key
        for info in suite_apps():  # what the foreign keys' cascade does not reach (stored highlights, ...)
            if info.forget_owner is not None:
                info.forget_owner(user.id)
        for kind in ("user", "bookmark", "paste", "wiki"):  # their items went with them
            pagecache.changed(kind)


def create_token(user, label):
    """Create an API token; returns (row, the token itself), which is never shown again."""
    label = (label or "").strip()
    if not label or len(label) > 80 or any(ord(ch) < 32 for ch in label):
        raise InvalidInput("A token needs a label of 1 to 80 printable characters.")
    token = "st_" + secrets.token_urlsafe(32)
    row = ApiToken.create(user=user, label=label, token_hash=ApiToken.hash(token), prefix=token[:10])
    return row, token


TOKEN_WITH_USER = Prepared(lambda digest: ApiToken.select(ApiToken, User).join(User)
                           .where(ApiToken.token_hash == digest).limit(1))


def user_for_token(token):
    """The user owning this API token, or None; records when it was last used."""
    row = TOKEN_WITH_USER.first(ApiToken.hash(token or ""))
    if row is None:
        return None
    now = utcnow()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        ApiToken.update(last_used_at=now).where(ApiToken.id == row.id).execute()
    return row.user


def revoke_token(user, token_id):
    """Delete one of the user's tokens; False when it is not theirs."""
    return ApiToken.delete().where(ApiToken.id == token_id, ApiToken.user == user).execute() > 0
