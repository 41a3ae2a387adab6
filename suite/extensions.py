"""The shared extensions, declared once without an app and bound in ``create_app``."""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from peewee import DatabaseProxy

#: The one database of the suite; ``suite.database.init_app`` points it at SQLite or PostgreSQL.
db = DatabaseProxy()

login_manager = LoginManager()
csrf = CSRFProtect()
#: Rate limits (anonymous writes, API); storage is memory or Redis, set in ``create_app``.
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)
