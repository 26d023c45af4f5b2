"""An organisation's API keys, on the employer's page: create (the key is shown once), see when each
was last used, and revoke. Registered on the employers blueprint."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.accounts.permissions import acting_user, roles_required
from app.api.keys import ApiKeyError, create_key, organisation_keys, revoke_key
from app.db import get_session
from app.employers.forms import ApiKeyForm
from app.employers.routes import bp
from app.forms import ButtonForm
from app.models import SCOPES, ApiKey, Role


def _keys_page(form, status=200):
    keys = organisation_keys(get_session(), current_user.organisation)
    return render_template("employers/api_keys.html", form=form, keys=keys, scopes=SCOPES, button=ButtonForm()), status


@bp.route("/api-keys", methods=["GET", "POST"])
@roles_required(Role.EMPLOYER)
def api_keys():
    if current_user.organisation is None:
        abort(404)
    form = ApiKeyForm()
    if not form.validate_on_submit():
        return _keys_page(form, 400 if form.is_submitted() else 200)
    db = get_session()
    try:
        key, secret = create_key(db, actor=acting_user(), organisation=current_user.organisation, name=form.name.data,
                                 scopes=form.scopes.data)
    except ApiKeyError as error:
        getattr(form, error.field).errors.append(error.message)
        return _keys_page(form, 400)
    db.commit()
    response = render_template("employers/api_key_created.html", key=key, secret=secret, scopes=SCOPES)
    return response, 201, {"Cache-Control": "no-store"}


@bp.route("/api-keys/<int:key_id>/revoke", methods=["POST"])
@roles_required(Role.EMPLOYER)
def revoke_api_key(key_id):
    db = get_session()
    key = db.get(ApiKey, key_id)
    if key is None:
        abort(404)
    if key.organisation_id != current_user.organisation_id:
        abort(403)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        revoke_key(db, actor=acting_user(), key=key)
    except ApiKeyError as error:
        flash(error.message, "info")
    else:
        db.commit()
        flash(f"The key {key.name} is revoked. Requests with it are now refused.", "success")
    return redirect(url_for("employers.api_keys"))
