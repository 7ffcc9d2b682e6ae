"""Reading configuration from the environment, with demo-only defaults kept in one place."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

# src/careloop/settings/environment.py -> the checkout's root, when running from a checkout.
CHECKOUT_ROOT = Path(__file__).resolve().parents[3]
PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def data_dir() -> Path:
    """Where the embedded database, uploads and the demo secret live.

    CARELOOP_DATA_DIR wins; a checkout keeps its data in `var/`; an installed package uses
    the XDG data directory.
    """
    configured = os.environ.get("CARELOOP_DATA_DIR")
    if configured:
        path = Path(configured)
    elif (CHECKOUT_ROOT / "pyproject.toml").exists():
        path = CHECKOUT_ROOT / "var"
    else:
        xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(xdg) / "careloop"
    path.mkdir(parents=True, exist_ok=True)
    return path


def demo_secret_key(directory: Path) -> str:
    """A random key kept beside the embedded database, so a demo needs no set-up.

    Production settings refuse to start without CARELOOP_SECRET_KEY instead.
    """
    key_file = directory / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    key_file.touch(mode=0o600)
    key_file.write_text(key)
    return key


def node_modules_dir() -> Path:
    configured = os.environ.get("CARELOOP_NODE_MODULES")
    return Path(configured) if configured else CHECKOUT_ROOT / "node_modules"


def mailer_from_environment(directory: Path) -> dict[str, object]:
    """The default mailer (Django's MAILERS entry).

    CARELOOP_EMAIL_BACKEND picks any backend (a file-based one writes to CARELOOP_EMAIL_FILE_PATH,
    default `<data dir>/outbox`); otherwise SMTP when CARELOOP_EMAIL_HOST is set, else the console.
    """
    backend = os.environ.get("CARELOOP_EMAIL_BACKEND", "")
    host = os.environ.get("CARELOOP_EMAIL_HOST", "")
    if backend.endswith("filebased.EmailBackend"):
        file_path = os.environ.get("CARELOOP_EMAIL_FILE_PATH") or str(directory / "outbox")
        return {"BACKEND": backend, "OPTIONS": {"file_path": file_path}}
    if backend:
        return {"BACKEND": backend}
    if host:
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": host,
                "port": int(os.environ.get("CARELOOP_EMAIL_PORT", "25")),
                "username": os.environ.get("CARELOOP_EMAIL_USER", ""),
                "password": os.environ.get("CARELOOP_EMAIL_PASSWORD", ""),
                "use_tls": env_bool("CARELOOP_EMAIL_USE_TLS"),
            },
        }
    return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}


def oidc_providers(environ: dict[str, str] | None = None) -> dict[str, object]:
    """allauth provider settings for optional OpenID Connect single sign-on.

    Enabled when CARELOOP_OIDC_SERVER_URL, _CLIENT_ID and _CLIENT_SECRET are all set.
    """
    source = os.environ if environ is None else environ
    server_url = source.get("CARELOOP_OIDC_SERVER_URL", "")
    client_id = source.get("CARELOOP_OIDC_CLIENT_ID", "")
    secret = source.get("CARELOOP_OIDC_CLIENT_SECRET", "")
    if not (server_url and client_id and secret):
        return {}
    return {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": source.get("CARELOOP_OIDC_PROVIDER_ID", "sso"),
                    "name": source.get("CARELOOP_OIDC_NAME", "Single sign-on"),
                    "client_id": client_id,
                    "secret": secret,
                    "settings": {"server_url": server_url},
                }
            ],
        }
    }
