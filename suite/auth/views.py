"""Sign-in pages: register, login, logout, account settings, API tokens, user admin."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from suite.auth import accounts
from suite.auth.access import admin_required
from suite.auth.forms import (
    AdminCreateUserForm,
    ConfirmForm,
    DeleteAccountForm,
    LoginForm,
    PasswordForm,
    RegisterForm,
    TokenForm,
)
from suite.auth.models import ApiToken, User
from suite.errors import Conflict, Forbidden, InvalidInput, NotFound, RateLimited

bp = Blueprint("auth", __name__, url_prefix="/auth")


def safe_next(target):
    """``target`` if it is a path on this site, else the home page (no open redirects)."""
    target = (target or "").strip()
    parts = urlsplit(target)
    if (not target.startswith("/") or target.startswith("//") or "\\" in target
            or parts.scheme or parts.netloc or any(ord(ch) < 32 or ord(ch) == 127 for ch in target)):
        return url_for("core.home")
    return target


def _sign_in(user, remember=False):
    session.clear()  # a fresh session on every sign-in: no session fixation
    accounts.start_session(user)
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in; failures are throttled per account and per IP."""
    form = LoginForm(next=request.args.get("next", ""))
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.username.data, form.password.data, request.remote_addr)
        except RateLimited as err:
            flash(err.message, "error")
            return render_template("auth/login.html", form=form), 429, err.headers
        if user:
            _sign_in(user, form.remember.data)
            flash(f"Welcome back, {user.username}.", "success")
            return redirect(safe_next(form.next.data))
        flash("Wrong username or password.", "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create an account and sign in (when registration is open)."""
    if not accounts.registration_open():
        raise Forbidden("Registration is closed. Ask an administrator for an account.")
    form = RegisterForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.create_user(form.username.data, form.password.data)
        except (Conflict, InvalidInput) as err:
            form.username.errors.append(err.message)
            return render_template("auth/register.html", form=form), err.status
        _sign_in(user)
        flash(f"Welcome, {user.username}! Your account is ready.", "success")
        return redirect(url_for("core.home"))
    if request.method == "POST":
        status = 400
    return render_template("auth/register.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (POST only, so a link on another site cannot sign you out).

    The session is emptied first: ``logout_user`` leaves the mark that makes flask-login delete the
    "keep me signed in" cookie in the session, and clearing after it would erase the mark.
    """
    if current_user.is_authenticated:
        accounts.end_session(current_user)
    session.clear()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("core.home"))


@bp.route("/account")
@login_required
def account():
    """Settings: password, API tokens, account deletion."""
    return _account_page()


def _account_page(status=200, new_token=None, **forms):
    """The account page; never stored by a browser or proxy cache: it may show a new token."""
    tokens = ApiToken.select().where(ApiToken.user == current_user.id).order_by(ApiToken.created_at.desc())
    return render_template(
        "auth/account.html", tokens=tokens, new_token=new_token,
        password_form=forms.get("password_form") or PasswordForm(),
        token_form=forms.get("token_form") or TokenForm(),
        delete_form=forms.get("delete_form") or DeleteAccountForm(),
        confirm_form=ConfirmForm(), other_sessions=accounts.other_session_count(current_user)), \
        status, {"Cache-Control": "no-store"}


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password():
    """Change the password; other sessions are signed out, this one stays."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current.data, form.password.data)
        except InvalidInput as err:
            form.current.errors.append(err.message)
            return _account_page(400, password_form=form)
        _sign_in(current_user._get_current_object())
        flash("Your password has been changed.", "success")
        return redirect(url_for("auth.account"))
    return _account_page(400, password_form=form)


@bp.route("/account/delete", methods=["POST"])
@login_required
def delete_account():
    """Delete the account and everything it owns."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            accounts.delete_account(current_user, form.password.data)
        except InvalidInput as err:
            form.password.errors.append(err.message)
            return _account_page(400, delete_form=form)
        logout_user()
        session.clear()
        flash("Your account has been deleted.", "info")
        return redirect(url_for("core.home"))
    return _account_page(400, delete_form=form)


@bp.route("/tokens", methods=["POST"])
@login_required
def create_token():
    """Create an API token and show it once."""
    form = TokenForm()
    if form.validate_on_submit():
        _row, token = accounts.create_token(current_user, form.label.data)
        return _account_page(201, new_token=token)
    return _account_page(400, token_form=form)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    """Revoke one of your tokens."""
    if not accounts.revoke_token(current_user, token_id):
        raise NotFound("No such token.")
    flash("The token has been revoked.", "info")
    return redirect(url_for("auth.account"))


@bp.route("/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    """Sign out every other browser of this account (this one stays signed in)."""
    ended = accounts.end_other_sessions(current_user)
    flash(f"Signed out {ended} other browser{'s' if ended != 1 else ''}.", "info")
    return redirect(url_for("auth.account"))


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users():
    """Admins list accounts and create new ones, even when registration is closed."""
    form = AdminCreateUserForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.create_user(form.username.data, form.password.data, form.is_admin.data)
            flash(f"Created {user.username}.", "success")
            return redirect(url_for("auth.users"))
        except (Conflict, InvalidInput) as err:
            form.username.errors.append(err.message)
            status = err.status
    elif request.method == "POST":
        status = 400
    people = User.select().order_by(User.name_key)
    return render_template("auth/users.html", form=form, people=people), status
