"""Settings pages for intro requests: the SMTP server and the template (admins), signatures."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from tiegraph.errors import InvalidInputError
from tiegraph.services.intros import smtp_settings
from tiegraph.services.intros import template as intro_template
from tiegraph.web.intros import save_smtp
from tiegraph.web.security import PageViewer, Viewer, require_admin, store_of
from tiegraph.web.templating import flash

router = APIRouter()
Short = Annotated[str, Form(max_length=400)]
BACK = "/settings#intro-settings"


def intro_settings(request: Request, viewer: Viewer) -> dict[str, Any]:
    """What the settings page shows of intro requests (SMTP details to admins only)."""
    store = store_of(request)
    smtp = smtp_settings.get_smtp(store, viewer.org)
    return {
        "smtp": smtp.as_dict() if smtp and viewer.is_admin else {},
        "smtp_configured": smtp is not None,
        "template": intro_template.get_template(store, viewer.org),
        "placeholders": intro_template.PLACEHOLDERS,
        "signature": intro_template.get_signature(store, viewer.org, viewer.member),
    }


def _back() -> RedirectResponse:
    return RedirectResponse(BACK, status_code=303)


@router.post("/settings/smtp")
def smtp(
    request: Request,
    viewer: PageViewer,
    host: Short = "",
    port: Short = "",
    security: Short = "starttls",
    username: Short = "",
    password_env: Short = "",
    sender: Short = "",
    timeout: Short = "30",
    action: Annotated[str, Form(pattern="^(save|remove)$")] = "save",
) -> RedirectResponse:
    require_admin(viewer)
    store = store_of(request)
    if action == "remove":
        smtp_settings.clear_smtp(store, viewer.org)
        flash(request, "SMTP server removed: requests go through members' mail clients.")
        return _back()
    try:
        if not port.strip().isdigit() and port.strip():
            raise InvalidInputError(f"port {port.strip()!r} is not a number")
        try:
            seconds = float(timeout.strip() or "30")
        except ValueError:
            raise InvalidInputError(f"timeout {timeout!r} is not a number of seconds") from None
        save_smtp(
            store,
            viewer,
            host=host,
            port=int(port) if port.strip() else None,
            security=security,
            username=username,
            password_env=password_env,
            sender=sender,
            timeout=seconds,
        )
        flash(request, "SMTP server saved.")
    except InvalidInputError as exc:
        flash(request, str(exc).replace("--", ""), "error")
    return _back()


@router.post("/settings/intro-template")
def template(
    request: Request,
    viewer: PageViewer,
    subject: Annotated[str, Form(max_length=1000)] = "",
    body: Annotated[str, Form(max_length=100_000)] = "",
    action: Annotated[str, Form(pattern="^(save|reset)$")] = "save",
) -> RedirectResponse:
    require_admin(viewer)
    try:
        intro_template.set_template(
            store_of(request),
            viewer.org,
            subject=subject or None,
            body=body.replace("\r\n", "\n") or None,
            reset=action == "reset",
        )
        flash(request, "Template reset." if action == "reset" else "Template saved.")
    except InvalidInputError as exc:
        flash(request, str(exc), "error")
    return _back()


@router.post("/settings/signature")
def signature(
    request: Request, viewer: PageViewer, text: Annotated[str, Form(max_length=4000)] = ""
) -> RedirectResponse:
    """The signature of your intro requests (empty: your name)."""
    try:
        intro_template.set_signature(
            store_of(request), viewer.org, viewer.member, text.replace("\r\n", "\n")
        )
        flash(request, "Signature saved.")
    except InvalidInputError as exc:
        flash(request, str(exc), "error")
    return _back()
