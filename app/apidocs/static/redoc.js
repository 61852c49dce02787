// ReDoc on the API's own OpenAPI document.
"use strict";
const root = document.getElementById("redoc");
Redoc.init(root.dataset.openapi, { hideDownloadButton: false }, root);
