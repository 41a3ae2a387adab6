"""Sign-in, registration, password, account and token forms."""
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from suite.auth.accounts import MAX_PASSWORD, MIN_PASSWORD, USERNAME_RE
from suite.forms import SuiteForm

NAME_RULE = Regexp(USERNAME_RE, message="Use 1–40 letters, digits, '_', '.' or '-', "
                                        "starting with a letter or digit.")


def printable(form, field):
    """Refuse control characters (NUL and the like) in short text fields."""
    if field.data and any(ord(ch) < 32 or ord(ch) == 127 for ch in field.data):
        raise ValidationError("Control characters are not allowed here.")


class LoginForm(SuiteForm):
    """Sign in with a username and password."""

    username = StringField("Username", validators=[DataRequired(), Length(max=40), printable],
                           render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_PASSWORD)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me signed in")
    next = HiddenField()


class RegisterForm(SuiteForm):
    """Create an account."""

    username = StringField("Username", validators=[DataRequired(), Length(max=40), NAME_RULE],
                           render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField("Password", validators=[DataRequired(), Length(MIN_PASSWORD, MAX_PASSWORD)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repeat password", validators=[
        DataRequired(), EqualTo("password", message="The two passwords differ.")],
        render_kw={"autocomplete": "new-password"})


class AdminCreateUserForm(RegisterForm):
    """An admin creates an account (also when registration is closed)."""

    is_admin = BooleanField("Administrator")


class PasswordForm(SuiteForm):
    """Change one's password."""

    current = PasswordField("Current password", validators=[DataRequired()],
                            render_kw={"autocomplete": "current-password"})
    password = PasswordField("New password", validators=[DataRequired(), Length(MIN_PASSWORD, MAX_PASSWORD)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repeat new password", validators=[
        DataRequired(), EqualTo("password", message="The two passwords differ.")],
        render_kw={"autocomplete": "new-password"})


class DeleteAccountForm(SuiteForm):
    """Delete one's account, confirmed with the password."""

    # Its own id: the change-password form on the same page has a "password" field too, and two
    # ids alike sent this label to the other form's box.
    password = PasswordField("Password", validators=[DataRequired()], id="delete-password",
                             render_kw={"autocomplete": "current-password"})


class TokenForm(SuiteForm):
    """Create an API token with a label."""

    label = StringField("Label", validators=[DataRequired(), Length(max=80), printable],
                        render_kw={"placeholder": "e.g. laptop curl"})


class ConfirmForm(SuiteForm):
    """A form with nothing but its CSRF token (revoke, sign out)."""
