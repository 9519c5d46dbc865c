"""Fake ``google.colab.auth``: ``authenticate_user`` records the call and writes default credentials.

The credentials go to ``$CLOUDSDK_CONFIG/application_default_credentials.json`` (where ``google.auth.default``
looks), holding ``$FAKE_COLAB_TOKEN`` as a still-valid access token, so no refresh is ever attempted.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from google.colab import CALLS


def authenticate_user(clear_output: bool = True, project_id: str | None = None) -> None:
    """Record the call and leave user credentials where ``google.auth.default()`` finds them."""
    CALLS.append(("authenticate_user", {"clear_output": clear_output, "project_id": project_id}))
    config = os.environ.get("CLOUDSDK_CONFIG")
    if not config:
        raise RuntimeError("set CLOUDSDK_CONFIG to a temporary folder before authenticate_user()")
    expiry = (datetime.now(UTC) + timedelta(hours=1)).replace(tzinfo=None).isoformat() + "Z"
    adc = {
        "type": "authorized_user",
        "client_id": "fake-colab-client.apps.googleusercontent.com",
        "client_secret": "fake-colab-secret",
        "refresh_token": "fake-colab-refresh-token",
        "token": os.environ.get("FAKE_COLAB_TOKEN", "fake-colab-access-token"),
        "expiry": expiry,
        "quota_project_id": "fake-colab-project",
    }
    Path(config).mkdir(parents=True, exist_ok=True)
    (Path(config) / "application_default_credentials.json").write_text(json.dumps(adc), encoding="utf-8")
