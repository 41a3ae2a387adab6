"""Shared sign-in for the three apps: what blueprints import to know who is asking."""
from flask_login import current_user, login_required

from suite.auth.access import accepts_token, act_as_anonymous, admin_required, get_owned_or_404

__all__ = ["accepts_token", "act_as_anonymous", "admin_required", "current_user", "get_owned_or_404",
           "login_required"]
