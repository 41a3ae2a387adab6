"""suite: bookmarks, a pastebin and a wiki sharing one login and one database."""
import logging
import os

from flask import Flask


def create_app(overrides=None):
    """Build the suite: config layers, shared concerns, then the three apps."""
    overrides = dict(overrides or {})
    instance = overrides.pop("INSTANCE_PATH", None) or os.environ.get("SUITE_INSTANCE_PATH")
    app = Flask(__name__, instance_path=os.path.abspath(instance) if instance else None,
                instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)

    from suite import (
        assets,
        config,
        core,
        database,
        errors,
        formtext,
        jobs,
        process,
        ratelimit,
        security,
        text,
    )
    from suite.api import views as api_views
    from suite.api.kit import check_api_rate
    from suite.auth import access
    from suite.auth.views import bp as auth_bp
    config.load_config(app, overrides)
    process.limit_malloc_arenas(app.config["MALLOC_ARENAS"])
    # peewee logs SQL with its parameters (password hashes among them) at DEBUG: never that.
    logging.getLogger("peewee").setLevel(max(logging.INFO, logging.getLogger("peewee").level))
    os.makedirs(app.config["MEDIA_PATH"], exist_ok=True)

    database.init_app(app)
    access.init_app(app)
    formtext.init_app(app)  # before the CSRF check, the first to read a form
    security.init_app(app)
    assets.init_app(app)
    errors.init_app(app)
    jobs.init_app(app)
    ratelimit.init_app(app)
    core.init_app(app)
    text.init_app(app)
    app.register_blueprint(auth_bp)
    api_views.init_app(app)
    app.before_request(check_api_rate)

    from suite import bookmarks, pastebin, wiki
    from suite.registry import register_app
    for module, prefix in ((bookmarks, "/bookmarks"), (pastebin, "/paste"), (wiki, "/wiki")):
        register_app(app, module.bp, module.APP, prefix)
        for extra in getattr(module, "EXTRA_BLUEPRINTS", ()):
            app.register_blueprint(extra)
        for command in getattr(module, "COMMANDS", ()):
            app.cli.add_command(command)

    from suite.cli import init_app as init_cli
    init_cli(app)
    return app
