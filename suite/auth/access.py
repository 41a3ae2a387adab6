"""Who is asking: session users, API-token users, and the ownership checks views rely on."""
from functools import wraps

from flask import current_app, g, request
from flask_login import AnonymousUserMixin, current_user

from suite.auth.models import LoginSession, User
from suite.database import Prepared
from suite.errors import Forbidden, NotFound, Unauthorized
from suite.extensions import login_manager

USER_BY_SESSION = Prepared(lambda uid, key: User.select(User).join(LoginSession).where(
    User.id == uid, LoginSession.key == key).limit(1))


def load_session_user(session_id):
    """flask-login's loader: ``<id>:<epoch>:<stamp>:<sign-in>`` (``User.session_id``).

    A sign-in that ended (signed out, or every other one at a password change), a stale epoch
    (password changed) or another account's stamp (an id handed out again) signs out, as do
    sessions from before sign-ins were recorded.
    """
    parts = str(session_id).split(":")
    if len(parts) != 4 or not parts[3]:
        return None
    try:
        uid, epoch, stamp = (int(part) for part in parts[:3])
    except ValueError:
        return None
    user = USER_BY_SESSION.first(uid, LoginSession.hash(parts[3]))
    if user is None or (user.session_epoch, user.session_stamp) != (epoch, stamp):
        return None
    user.login_sid = parts[3]
    return user


def bearer_token():
    """The token from ``Authorization: Bearer <token>``, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def accepts_token(view):
    """Mark a view outside ``/api/`` that API tokens may use (curl's paste upload and raw reads)."""
    view.accepts_token = True
    return view


def token_may_use(path, endpoint):
    """Whether a token request may reach this route: the JSON API and views marked ``accepts_token``.

    The pages a browser uses are not for tokens: one leaked token must not mint more tokens (which
    would outlive its revocation), change the password or delete the account.
    """
    if path.startswith("/api/"):
        return True
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "accepts_token", False)


def authenticate_bearer():
    """Before each request: a Bearer token, when sent, is the only identity that counts."""
    from suite.auth.accounts import user_for_token
    token = bearer_token()
    if token is None:
        return
    user = user_for_token(token)
    if user is None or not token_may_use(request.path, request.endpoint):
        g.plain_errors = True  # outside the API a Bearer token comes from curl (uploads): one line, not a page
    if user is None:
        raise Unauthorized("The API token is invalid or has been revoked.",
                           code="invalid_token", headers={"WWW-Authenticate": "Bearer"})
    if not token_may_use(request.path, request.endpoint):
        raise Forbidden("API tokens work with /api/v1 and curl's paste upload and raw reads; "
                        "sign in for this page.", code="token_not_accepted")
    g._login_user = user
    g.token_auth = True


def act_as_anonymous():
    """Serve this request as nobody, ignoring the session (cross-site or token-less writes)."""
    g._login_user = login_manager.anonymous_user()


def get_owned_or_404(query, user=None):
    """The first row of ``query`` if ``user`` (default: current user) owns it, else NotFound.

    ``query`` must select a model with a ``user`` foreign key; admins are not
    exempt, so someone else's private item is always a 404.
    """
    user = user or current_user
    if not user.is_authenticated:
        raise NotFound()
    model = query.model
    row = query.where(model.user == user.id).first()
    if row is None:
        raise NotFound()
    return row


def admin_required(view):
    """Allow only signed-in admins (403 for others, sign-in for anonymous)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_admin:
            raise Forbidden("Only administrators may do that.")
        return view(*args, **kwargs)
    return wrapped


def unauthorized():
    """Anonymous visitor on a protected page: JSON/plain 401 for clients, sign-in page for people."""
    from flask import flash, redirect, url_for

    from suite.errors import wants_json
    if wants_json() or g.get("plain_errors"):
        raise Unauthorized()
    flash("Please sign in to continue.", "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


class Anonymous(AnonymousUserMixin):
    """The visitor who is not signed in."""

    id = None
    is_admin = False
    username = None


def init_app(app):
    """Bind flask-login to the suite."""
    login_manager.init_app(app)
    login_manager.user_loader(load_session_user)
    login_manager.id_attribute = "session_id"
    login_manager.anonymous_user = Anonymous
    login_manager.unauthorized_handler(unauthorized)
    login_manager.session_protection = "basic"
    app.before_request(authenticate_bearer)
