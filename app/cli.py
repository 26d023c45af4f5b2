"""Command-line tasks: `flask seed-demo`, `flask create-admin`, `flask mail retry`; `bank`, `exams` and `psychometrics` groups."""

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from app.db import get_session


def register(app) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_admin_command)
    from app.accounts.cli import erase_person_command, retention_group, subject_access_command

    app.cli.add_command(subject_access_command)
    app.cli.add_command(retention_group)
    app.cli.add_command(erase_person_command)
    app.cli.add_command(mail_group)
    app.cli.add_command(db_upgrade_command)
    app.cli.add_command(db_revision_command)
    from app.bank.cli import bank_group

    app.cli.add_command(bank_group)
    from app.exams.cli import exams_group

    app.cli.add_command(exams_group)
    app.cli.add_command(psychometrics_group)
    app.cli.add_command(keys_group)
    app.cli.add_command(certificates_group)
    from app.audit.cli import audit_group

    app.cli.add_command(audit_group)
    from app.operations.cli import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


psychometrics_group = AppGroup("psychometrics", help="Check the statistics on simulated candidates.")


@psychometrics_group.command("simulate")
@click.option("--candidates", default=10_000, show_default=True, type=click.IntRange(2, 1_000_000), help="Simulated candidates.")
@click.option("--items", default=30, show_default=True, type=click.IntRange(2, 200), help="Items on the form.")
@click.option("--seed", default=1, show_default=True, type=int, help="Random seed (the same seed gives the same cohort).")
@click.option("--ability-sd", default=1.0, show_default=True, type=click.FloatRange(0.1, 5), help="Spread of abilities, in logits.")
@click.option("--borderline", default=0.0, show_default=True, type=click.FloatRange(-4, 4),
              help="Ability of the just-competent candidate, in logits (items run from -2 to 2).")
def simulate_command(candidates, items, seed, ability_sd, borderline):
    """A Rasch cohort through the real scoring, Angoff cut score and analysis, against the truth."""
    import time

    from app.psychometrics.study import run_study

    started = time.perf_counter()
    result = run_study(candidates, items, seed=seed, ability_sd=ability_sd, borderline_ability=borderline)
    seconds = time.perf_counter() - started
    summary, classification, reliability = result.summary, result.classification, result.summary.reliability
    click.echo(f"Simulated {result.candidates:,} candidates x {result.items} items (Rasch; difficulties -2 to 2 logits, "
               f"abilities N(0, {ability_sd}), borderline at {borderline} logits, seed {seed}) in {seconds:.2f} s")
    click.echo(f"  facility recovered vs simulated: largest error {result.facility_max_error:.4f}, "
               f"mean error {result.facility_mean_error:.4f}")
    coefficient = f"{reliability.coefficient:.3f}" if reliability.coefficient is not None else f"not available ({reliability.reason})"
    sem = f"{summary.sem:.2f}" if summary.sem is not None else "not available"
    click.echo(f"  {reliability.method}: {coefficient}; mean {summary.mean:.2f}, SD {summary.sd:.2f}, SEM {sem} marks")
    click.echo(f"  cut score (ideal Angoff ratings summed): {result.cut_score:.2f} of {result.items}; "
               f"pass rate {100 * summary.pass_rate:.1f}%")
    click.echo(f"  classification accuracy against true competence: {100 * classification.accuracy:.1f}% "
               f"(false pass {100 * classification.false_pass:.1f}%, false fail {100 * classification.false_fail:.1f}% of candidates)")
    click.echo(f"  items flagged by item analysis: {result.flagged_items} of {result.items}")


@psychometrics_group.command("seed-window")
@click.option("--tier", "tier_code", default="practitioner", show_default=True, help="The tier's code.")
@click.option("--candidates", default=1000, show_default=True, type=click.IntRange(1, 20_000), help="Simulated candidates.")
@click.option("--seed", default=1, show_default=True, type=int, help="Random seed (the same seed gives the same answers).")
@click.option("--no-miskey", is_flag=True, help="Do not plant a miskeyed item.")
@with_appcontext
def seed_window_command(tier_code, candidates, seed, no_miskey):
    """A closed window of simulated candidates who sat real forms, to try the quality report and regrading."""
    import time

    from sqlmodel import select

    from app.models import Tier
    from app.models.types import utcnow
    from app.quality.simulated import SimulationRefused, seed_simulated_window

    session = get_session()
    tier = session.exec(select(Tier).where(Tier.code == tier_code)).first()
    if tier is None:
        raise click.BadParameter(f"no tier with the code {tier_code!r} (import the framework first)", param_hint="--tier")
    started = time.perf_counter()
    try:
        result = seed_simulated_window(session, tier=tier, candidates=candidates, seed=seed, now=utcnow(), miskey=not no_miskey)
    except SimulationRefused as error:
        session.rollback()
        raise click.ClickException(str(error)) from None
    session.commit()
    click.echo(f"Window {result.window.id} ({tier.name}): {result.candidates} simulated candidates sat and submitted "
               f"in {time.perf_counter() - started:.1f} s" + (f"; {result.failed} could not get a form" if result.failed else "") + ".")
    if result.miskeyed:
        click.echo(f"  Planted: {result.miskeyed} is miskeyed (candidates who know the answer choose {result.true_key}).")
    if result.dif_item:
        click.echo(f"  Planted: {result.dif_item} is harder for male candidates of the same ability (DIF).")
    click.echo(f"  Quality report: /admin/windows/{result.window.id}/quality")


keys_group = AppGroup("keys", help="The issuer's signing keys and certificates.")


@keys_group.command("init")
def keys_init_command():
    """Create, in KEYS_DIR, the issuing certificate chain and the credential key if they are missing."""
    from app.accreditation.keys import init_keys

    created = init_keys(current_app.config["KEYS_DIR"], issuer=current_app.config["ISSUING_BODY"])
    click.echo(f"Created {', '.join(created)} in {current_app.config['KEYS_DIR']}." if created
               else f"Issuer keys already in {current_app.config['KEYS_DIR']}: nothing to do.")


certificates_group = AppGroup("certificates", help="Accreditation certificates.")


def _issuer_settings():
    from app.accreditation.keys import load_keys

    base = current_app.config.get("BASE_URL") or "http://127.0.0.1:5000"
    return load_keys(current_app.config), base, current_app.config["ISSUING_BODY"]


@certificates_group.command("list")
def certificates_list_command():
    """One line per certificate: id, holder, tier, status (tab-separated)."""
    from sqlmodel import select

    from app.models import Certificate
    from app.models.types import utcnow

    now = utcnow()
    for certificate in get_session().exec(select(Certificate).order_by(Certificate.issued_at, Certificate.id)):
        click.echo(f"{certificate.code}\t{certificate.holder_name}\t{certificate.tier.code}\t{certificate.current_status(now)}")


@certificates_group.command("export")
@click.argument("certificate_id")
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False, writable=True), help="Write the signed PDF here.")
@click.option("--credential", "credential_path", type=click.Path(dir_okay=False, writable=True), help="Write the credential JWT here.")
def certificates_export_command(certificate_id, pdf_path, credential_path):
    """Write a certificate's signed PDF and its credential (VC-JWT)."""
    from pathlib import Path

    from sqlmodel import select

    from app.accreditation.ids import CertificateIdError, parse_certificate_id
    from app.models import Certificate

    if not pdf_path and not credential_path:
        raise click.UsageError("Give --pdf FILE, --credential FILE, or both")
    try:
        code = parse_certificate_id(certificate_id)
    except CertificateIdError as error:
        raise click.BadParameter(str(error), param_hint="CERTIFICATE_ID") from None
    certificate = get_session().exec(select(Certificate).where(Certificate.code == code)).first()
    if certificate is None:
        raise click.ClickException(f"No certificate {code}")
    if pdf_path:
        Path(pdf_path).write_bytes(certificate.pdf)
        click.echo(f"Wrote the signed PDF to {pdf_path}")
    if credential_path:
        Path(credential_path).write_text(certificate.credential_jwt)
        click.echo(f"Wrote the credential to {credential_path}")


@certificates_group.command("issue")
@click.option("--window", "window_id", required=True, type=int, help="The assessment window whose candidates to certify.")
def certificates_issue_command(window_id):
    """Issue certificates to every candidate of the window who is accredited and has none."""
    from app.accreditation.services import issue_for_window
    from app.models import AssessmentWindow, Booking
    from app.models.types import utcnow

    session = get_session()
    window = session.get(AssessmentWindow, window_id)
    if window is None:
        raise click.BadParameter(f"there is no window {window_id}", param_hint="--window")
    keys, base, issuer = _issuer_settings()
    from sqlmodel import func, select

    total = session.exec(select(func.count(func.distinct(Booking.candidate_id))).where(Booking.window_id == window.id)).one()
    with click.progressbar(length=total, label=f"Window {window.id}: {window.tier.name}") as bar:
        issued, held, not_yet = issue_for_window(session, window=window, now=utcnow(), actor=None, keys=keys, base_url=base,
                                                 issuer=issuer, progress=bar.update)
    session.commit()
    click.echo(f"{issued} certificate(s) issued, {held} already held, {len(not_yet)} candidate(s) not yet accredited.")


@certificates_group.command("remind")
def certificates_remind_command():
    """Send the expiry reminders that are due (run daily, for example from cron)."""
    from app.accreditation.services import send_expiry_reminders
    from app.mail.services import deliver_queued
    from app.models.types import utcnow

    session = get_session()
    base = current_app.config.get("BASE_URL") or "http://127.0.0.1:5000"
    sent = send_expiry_reminders(session, now=utcnow(), link=f"{base}/candidate/certificates")
    session.commit()
    deliver_queued(session)
    click.echo(f"Expiry reminders sent for {sent} certificate(s).")


@click.command("db-upgrade")
@with_appcontext
def db_upgrade_command():
    """Migrate the database (DATABASE_URL) to the newest schema."""
    from app import migrate

    migrate.upgrade(current_app.config["DATABASE_URL"])


@click.command("db-revision")
@with_appcontext
@click.option("-m", "--message", required=True, help="What the migration does, in a few words.")
def db_revision_command(message):
    """Write a new migration from the difference between the models and the database."""
    from app import migrate

    migrate.revision(current_app.config["DATABASE_URL"], message)


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Create the demo organisations and one account for every role (safe to run again)."""
    from sqlmodel import select

    from app.admin.demo import DEMO_ACCOUNTS, READY_CANDIDATE, seed_demo, seed_ready_to_sit
    from app.models import User
    from app.standards.demo import seed_demo_standards

    session = get_session()
    password = current_app.config["DEMO_PASSWORD"]
    profile = current_app.config["PASSWORD_HASH_PROFILE"]
    created = seed_demo(session, password=password, hash_profile=profile)
    admin = session.exec(select(User).where(User.email == "admin@accreditation.example.org")).one()
    panels = seed_demo_standards(session, admin=admin)  # agreed ratings first: forms are only made of rated items
    created += seed_ready_to_sit(session, password=password, hash_profile=profile)
    simulated = _seed_demo_cohort(session, admin, current_app.config["DEMO_SIMULATED_CANDIDATES"])
    from app.practice.demo import seed_demo_practice

    practice = seed_demo_practice(session, admin=admin)
    from app.accreditation.demo import ACCREDITED, EXPIRED, REVOKED, seed_demo_certificates

    keys, base, issuer = _issuer_settings()
    certificates = seed_demo_certificates(session, admin=admin, password=password, hash_profile=profile, keys=keys, base_url=base,
                                          issuer=issuer)
    from app.api.keys import seed_demo_key
    from app.models import Organisation

    employer = session.exec(select(Organisation).where(Organisation.name == READY_CANDIDATE.organisation)).one()
    api_key = seed_demo_key(session, organisation=employer, service_secret=current_app.config["SECRET_KEY"])
    session.commit()
    if certificates:
        click.echo(f"Demo certificates: {certificates} issued and signed (one valid, one expired, one revoked).")
    if practice:
        click.echo(f"Demo observed practice: {practice} simulated sittings marked by the two demo assessors (see the rater-quality "
                   "report), and a sitting scheduled for the demo candidate.")
    if simulated:
        click.echo(f"Demo quality report: {simulated.candidates} simulated candidates sat window {simulated.window.id} "
                   f"(see /admin/windows/{simulated.window.id}/quality; {simulated.miskeyed} is planted with a wrong key).")
    if panels:
        click.echo(f"Demo standard setting: {panels} panel(s) rated every live item (demo ratings, not a real standard).")
    click.echo(f"Demo data: {created} new account(s). Sign in at http://127.0.0.1:5000 with:")
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account.role.label:<14} {account.email:<42} password: {password}")
    click.echo(f"  {'Candidate':<14} {READY_CANDIDATE.email:<42} password: {password}  (booked: can sit the assessment now)")
    for name, email, _number in (ACCREDITED, EXPIRED, REVOKED):
        label = {ACCREDITED: "accredited: valid certificate", EXPIRED: "certificate expired", REVOKED: "certificate revoked"}[(name, email, _number)]
        click.echo(f"  {'Candidate':<14} {email:<42} password: {password}  ({label})")
    if api_key:
        click.echo(f"Demo API key for {employer.name} (verify and accreditations):\n  {api_key}\n"
                   f"  Try: curl -H 'Authorization: Bearer {api_key}' http://127.0.0.1:5000/api/v1/accreditations\n"
                   "  The API is described at http://127.0.0.1:5000/api/v1/openapi.json")
    else:
        click.echo(f"The demo API key for {employer.name} was revoked; create a new one on the employer's page.")


def _seed_demo_cohort(session, admin, candidates):
    """A past practitioner window of simulated candidates, so the quality report and regrading have data."""
    from sqlmodel import select

    from app.models import Item, ItemStatus, Tier
    from app.models.types import utcnow
    from app.quality.simulated import has_simulated_window, seed_simulated_window

    tier = session.exec(select(Tier).where(Tier.code == "practitioner")).first()
    if candidates < 1 or tier is None or has_simulated_window(session, tier) or not session.exec(
            select(Item).where(Item.tier_id == tier.id, Item.status == ItemStatus.LIVE)).first():
        return None
    return seed_simulated_window(session, tier=tier, candidates=candidates, seed=1, now=utcnow(), actor=admin, release=True)


@click.command("create-admin")
@with_appcontext
@click.option("--email", required=True, help="The administrator's email address.")
@click.option("--name", required=True, help="The administrator's full name.")
def create_admin_command(email, name):
    """Create the first administrator and print a one-time link to set their password."""
    from app.accounts.services import AccountPolicy, find_user_by_email, issue_link
    from app.audit import record_event
    from app.models import Role, RoleMembership, TokenPurpose, User

    session = get_session()
    if find_user_by_email(session, email):
        raise click.ClickException(f"An account with the email address {email.lower()} already exists")
    user = User(name=name, email=email.strip().lower(), memberships=[RoleMembership(role=Role.ADMINISTRATOR)])
    session.add(user)
    session.flush()
    record_event(session, actor=None, action="user.created_by_command", obj=user, roles=["administrator"])
    policy = AccountPolicy.from_config(current_app.config)
    secret = issue_link(session, user=user, purpose=TokenPurpose.INVITATION, valid_for=policy.invitation_valid, actor=None)
    session.commit()
    base = current_app.config["BASE_URL"] or "http://127.0.0.1:5000"
    click.echo(f"Administrator {user.email} created. Set the password at:\n{base}/account/set-password/{secret}")


mail_group = AppGroup("mail", help="The outbox.")


@mail_group.command("retry")
def mail_retry_command():
    """Deliver again every message whose delivery failed."""
    from app.mail.services import retry_failed

    click.echo(f"{retry_failed(get_session())} message(s) delivered.")
