"""Archive and restore contacts and directory persons: tiegraph never deletes."""

from __future__ import annotations

from typing import Annotated

import typer

from tiegraph.cli.common import DbOption, MemberOption, OrgOption, app, contacts_app, open_db, out
from tiegraph.services.contacts import archive as archive_service
from tiegraph.services.org import members as member_service
from tiegraph.services.org import orgs as org_service

person_app = typer.Typer(help="Directory persons: archive and restore.")
app.add_typer(person_app, name="person")
ContactId = Annotated[int, typer.Argument(help="A contact id from `contacts list`.")]
PersonEmail = Annotated[str, typer.Argument(help="An email of the directory person.")]


def _contact(contact_id: int, member: str, org: str | None, db: str | None, archived: bool) -> None:
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    owner = member_service.get_member(store, organization, member)
    archive_service.set_contact_archived(store, organization, owner, contact_id, archived=archived)
    out.print(f"Contact {contact_id} {'archived' if archived else 'restored'}")


@contacts_app.command("archive")
def contacts_archive(
    contact_id: ContactId, member: MemberOption, org: OrgOption = None, db: DbOption = None
) -> None:
    """Archive one of your contacts (kept, hidden; `contacts restore` brings it back)."""
    _contact(contact_id, member, org, db, True)


@contacts_app.command("restore")
def contacts_restore(
    contact_id: ContactId, member: MemberOption, org: OrgOption = None, db: DbOption = None
) -> None:
    """Restore an archived contact."""
    _contact(contact_id, member, org, db, False)


def _person(email: str, org: str | None, db: str | None, archived: bool) -> None:
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    person_id = archive_service.person_id_for_email(store, organization, email)
    archive_service.set_person_archived(store, organization, person_id, archived=archived)
    out.print(f"Person {person_id} ({email}) {'archived' if archived else 'restored'}")


@person_app.command("archive")
def person_archive(email: PersonEmail, org: OrgOption = None, db: DbOption = None) -> None:
    """Archive a directory person (kept, hidden from who-knows and the gallery)."""
    _person(email, org, db, True)


@person_app.command("restore")
def person_restore(email: PersonEmail, org: OrgOption = None, db: DbOption = None) -> None:
    """Restore an archived directory person."""
    _person(email, org, db, False)
