"""The JSON API under /api/v1: shared kit, OpenAPI document, suite-wide endpoints.

Each app adds its own endpoints in ``suite/<app>/api.py`` (a blueprint exported in
``EXTRA_BLUEPRINTS``) and registers its paths with ``suite.api.openapi.register``.
"""
