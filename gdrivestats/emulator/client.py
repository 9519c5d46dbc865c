"""Client helpers: the bundled Drive v3 discovery document aimed at another root URL; a service on it."""

from __future__ import annotations

import copy
from typing import Any

from gdrivestats.emulator.validate import discovery


def discovery_document(root_url: str) -> dict[str, Any]:
    """The bundled ``drive.v3.json`` with ``rootUrl`` and ``mtlsRootUrl`` set to ``root_url``.

    Rewriting the document (not ``client_options``) is what makes uploads and batch requests go to the
    same server as ordinary calls.
    """
    doc = copy.deepcopy(discovery())
    root = root_url if root_url.endswith("/") else root_url + "/"
    doc["rootUrl"] = root
    doc["mtlsRootUrl"] = root
    doc["baseUrl"] = root + doc.get("servicePath", "drive/v3/")
    return doc


def build_service(url: str, token: str = "test-token", ca_certs: str | None = None) -> Any:
    """A Drive v3 service for the server at ``url``, authorised with a plain bearer ``token``.

    ``ca_certs`` trusts a self-signed certificate when the server speaks HTTPS.
    """
    import google_auth_httplib2
    from google.oauth2.credentials import Credentials
    from googleapiclient.discovery import build_from_document
    from googleapiclient.http import build_http

    credentials = Credentials(token)
    if ca_certs is None:
        return build_from_document(discovery_document(url), credentials=credentials)
    http = build_http()
    http.ca_certs = ca_certs
    authorized = google_auth_httplib2.AuthorizedHttp(credentials, http=http)
    return build_from_document(discovery_document(url), http=authorized)
