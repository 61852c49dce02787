"""The API's documentation pages, Swagger UI at ``/docs`` and ReDoc at ``/redoc``, served from
the fastapi-offline package (Swagger UI 5, which reads OpenAPI 3.1): no CDN, and the same
strict CSP as the simulator page, so the pages start from a script file, never inline."""
