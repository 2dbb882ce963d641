"""The Flask application of `kader serve`: pages, the JSON API, sessions, CSRF and security headers.

Thin over the same use cases as the command line: the sweep (sweep/sweep.py), the check
(sweep/run.py check_file), the plan (evaluate/plan.py), a new assessment (editors/newassessment.py),
saving answers (editors/answersave.py), the renderer registry for every download and for the API's
JSON (which is byte for byte what `kader check --formaat json` and `kader sweep --formaat json` print).

Security, after OWASP's cheat sheets: a session in a signed, HttpOnly, SameSite=Strict cookie that
expires (and Secure behind TLS), and that logging out ends on the server too; a CSRF token in every
form and state-changing request; the Host header checked against the served names (no DNS
rebinding); a Content-Security-Policy without inline script or style, nosniff, frame-ancestors
'none', no referrer (the local token is in the first address); Jinja2 escapes everything. Access
rules: web/access.py.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path

from flask import Flask, Response, abort, flash, g, redirect, render_template, request, session, url_for

from kadertoets import __version__
from kadertoets.editors import answersave
from kadertoets.infra.dates import dutch_date, dutch_datetime, made_at
from kadertoets.infra.errors import KaderFout, excerpt
from kadertoets.infra.textsafe import clean
from kadertoets.model import (ACTION_STATUS_LABEL, ACTION_STATUSES, RESPONSIBLE_NAME, STATUS_LABEL, STATUS_ORDER,
                              Status)
from kadertoets.render import Options, has_bom, render
from kadertoets.web.access import LOCAL, LoginThrottle, Principal, local_principal, principal_of, same_secret
from kadertoets.web.forms import grouped, posted_answers
from kadertoets.web.site import Site

SESSION_HOURS = 8  # a session expires after this long without use
SESSION_MAX_HOURS = 12  # and after this long in any case
MAX_REQUEST_BYTES = 2 * 1024 * 1024
DOWNLOADS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "html": "text/html; charset=utf-8", "csv": "text/csv; charset=utf-8",
             "json": "application/json; charset=utf-8"}
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass
class Settings:
    """How the app runs (web/serve.py builds it from the command line)."""

    site: Site
    hosts: set[str]  # the Host header values accepted ("127.0.0.1:8000", ...); filled in when the port is known
    token: str | None = None  # local use: the access token
    accounts: object | None = None  # regional use: web/accounts.py Accounts
    secure_cookie: bool = False  # behind TLS: the cookie only over https
    secret_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))


def saved_at() -> dt.datetime:
    """When a save happens, for the name of the kept previous version: the real clock (not the fixed
    moment SOURCE_DATE_EPOCH gives exports), read here at the edge."""
    return dt.datetime.now()


def _options() -> Options:
    """As the command line renders to a file or pipe (cli.py terminal_options without a terminal)."""
    return Options(color=False, width=100, show_all=False, made_at=made_at())


def create_app(settings: Settings) -> Flask:
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME="__Host-kadertoets" if settings.secure_cookie else "kadertoets",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=settings.secure_cookie,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=SESSION_HOURS),
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        MAX_FORM_PARTS=5000,
        JSON_SORT_KEYS=False,
    )
    app.jinja_env.globals.update(STATUS_LABEL=STATUS_LABEL, ACTION_STATUS_LABEL=ACTION_STATUS_LABEL,
                                 RESPONSIBLE_NAME=RESPONSIBLE_NAME, dutch_date=dutch_date, version=__version__,
                                 dutch_datetime=dutch_datetime, Status=Status)
    app.jinja_env.filters["kort"] = lambda value, limit=300: clean(value, limit) if value is not None else ""
    throttle = LoginThrottle()
    # Sessions ended by logging out: the cookie is the browser's, so a copy of it would otherwise keep
    # working until it expires. Per process is enough: the secret key is too, so a restart ends every
    # session anyway. An entry is kept until the session would have expired in any case.
    ended: dict[str, float] = {}
    ended_lock = threading.Lock()
    site = settings.site

    # ------------------------------------------------------------------ every request --------------
    def is_api() -> bool:
        return request.path.startswith("/api/")

    def refuse(status: int, message: str, hint: str | None = None):
        """A Dutch refusal: JSON for the API, a page otherwise."""
        if is_api():
            body = {"fout": message, "status": status}
            if hint:
                body["hint"] = hint
            response = Response(json.dumps(body, ensure_ascii=False, indent=2) + "\n", status,
                                mimetype="application/json")
        else:
            response = Response(render_template("fout.html", status=status, message=message, hint=hint), status)
        if status == 401 and is_api():
            response.headers["WWW-Authenticate"] = 'Bearer realm="kadertoets"'
        return response

    @app.before_request
    def check_host_and_who():
        host = (request.host or "").lower()
        if host not in settings.hosts:
            return refuse(400, "deze pagina wordt niet onder die naam aangeboden",
                          "Open het adres dat kader serve liet zien.")
        g.principal = None
        g.bearer = False
        auth = request.headers.get("Authorization", "")
        if auth[:7].lower() == "bearer ":
            if settings.token is not None and same_secret(auth[7:].strip(), settings.token):
                g.principal, g.bearer = local_principal(), True
            else:
                return refuse(401, "het toegangstoken klopt niet", "Gebruik het token dat kader serve liet zien.")
        else:
            g.principal = _session_principal()
        if request.method not in SAFE_METHODS and not g.bearer:
            if g.principal is None and request.endpoint != "login":
                return refuse(401, "niet aangemeld", "Meld u aan, of stuur het toegangstoken mee als "
                                                     "'Authorization: Bearer <token>'.")
            given = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token")
            if not (session.get("csrf") and same_secret(given, session["csrf"])):
                return refuse(403, "dit verzoek is geweigerd: het formulier is verlopen of komt niet van deze "
                                   "pagina", "Laad de pagina opnieuw en probeer het nog eens.")
        if settings.token is not None and request.method == "GET" and "token" in request.args:
            if same_secret(request.args.get("token"), settings.token):
                _start_session(local_principal())
                return redirect(request.path, 303)  # the token leaves the address bar
            return refuse(401, "het toegangstoken klopt niet",
                          "Open het adres met het token dat kader serve liet zien.")
        return None

    def _session_principal() -> Principal | None:
        who = session.get("wie")
        if not isinstance(who, dict):
            return None
        started = session.get("sinds")
        if not isinstance(started, (int, float)) or time.time() - started > SESSION_MAX_HOURS * 3600:
            session.clear()
            return None
        if isinstance(session.get("sid"), str) and session["sid"] in ended:  # logged out
            session.clear()
            return None
        if who.get("rol") == LOCAL:
            return local_principal() if settings.token is not None else None
        if settings.accounts is None:
            return None
        account = settings.accounts.get(who.get("naam"))
        if account is None or account.role != who.get("rol"):
            session.clear()
            return None
        return principal_of(account)

    def _start_session(principal: Principal) -> None:
        session.clear()
        session.permanent = True
        session["wie"] = {"naam": principal.name, "rol": principal.role}
        session["sinds"] = time.time()
        session["sid"] = secrets.token_urlsafe(16)  # names the session, so logging out can end it
        session["csrf"] = secrets.token_urlsafe(32)

    def csrf_token() -> str:
        if not session.get("csrf"):
            session["csrf"] = secrets.token_urlsafe(32)
        return session["csrf"]

    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.context_processor
    def who_is_asking():
        return {"wie": g.get("principal"), "lokaal": settings.token is not None}

    @app.after_request
    def security_headers(response: Response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        if settings.secure_cookie:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response

    def needs(check=None):
        """A route for someone who is logged in (and, with `check`, allowed: check(principal, **kwargs))."""
        def wrap(fn):
            @wraps(fn)
            def inner(**kwargs):
                who = g.principal
                if who is None:
                    if is_api():
                        return refuse(401, "niet aangemeld", "Stuur het toegangstoken mee als 'Authorization: "
                                                             "Bearer <token>', of meld u aan.")
                    return redirect(url_for("login", volgende=request.path), 303)
                if check is not None and not check(who, **kwargs):
                    return refuse(403, "u hebt geen toegang tot deze pagina",
                                  "Uw account geeft toegang tot: " + _reach(who) + ".")
                return fn(**kwargs)
            return inner
        return wrap

    def _reach(who: Principal) -> str:
        if who.role == "team":
            return "team " + ", ".join(who.teams)
        return "alle teams (lezen)" if who.role in ("regio", "redacteur") else "alles"

    read_team = needs(lambda who, team_id, **_: who.can_read_team(team_id))
    write_team = needs(lambda who, team_id, **_: who.can_write_team(team_id))
    read_region = needs(lambda who, **_: who.can_read_region)

    def team_or_404(team_id: str):
        sweep = site.sweep()
        ev = site.team(sweep, team_id)
        if ev is None:
            abort(404)
        return sweep, ev

    # ------------------------------------------------------------------ logging in -----------------
    @app.route("/login", methods=["GET", "POST"])
    def login():
        target = _local_target(request.values.get("volgende"))
        error = None
        if request.method == "POST":
            address = request.remote_addr or "?"
            if settings.accounts is None:
                if same_secret(request.form.get("token"), settings.token or ""):
                    _start_session(local_principal())
                    return redirect(target, 303)
                error = "Dit toegangstoken klopt niet. Gebruik het adres dat kader serve liet zien."
            else:
                name = (request.form.get("naam") or "")[:64]
                keys = ("naam:" + name.casefold(),)
                if not is_loopback_address(address):
                    # behind a reverse proxy on this machine every user has its address: counting it would
                    # let five wrong guesses by anyone lock everyone out (kader serve --proxy passes the
                    # user's own address on, and then it counts)
                    keys += ("adres:" + address,)
                if throttle.blocked(*keys):
                    error = "Te vaak een verkeerd wachtwoord. Probeer het over een kwartier opnieuw."
                else:
                    account = settings.accounts.authenticate(name, request.form.get("wachtwoord") or "")
                    if account is None:
                        throttle.failed(*keys)
                        error = "Naam of wachtwoord klopt niet."
                    else:
                        throttle.succeeded(*keys)
                        _start_session(principal_of(account))
                        return redirect(target, 303)
        status = 401 if error else 200
        return render_template("login.html", error=error, volgende=target, accounts=settings.accounts is not None), status

    @app.post("/uitloggen")
    def logout():
        sid = session.get("sid")
        if isinstance(sid, str):
            with ended_lock:
                now = time.time()
                for old in [k for k, at in ended.items() if now - at > SESSION_MAX_HOURS * 3600]:
                    del ended[old]
                ended[sid] = now
        session.clear()
        return redirect(url_for("login"), 303)

    @app.get("/favicon.ico")
    def favicon():
        return Response(status=204)  # no icon: the browser stops asking, nothing to load

    # ------------------------------------------------------------------ pages -----------------------
    @app.get("/")
    @needs()
    def start():
        sweep = site.sweep()
        who = g.principal
        teams = [t for t in sweep.teams() if who.can_read_team(t.evaluation.assessment.team.id)]
        invalid = sweep.invalid if who.can_read_region else ()
        present = set(site.team_ids(sweep))
        not_started = [t for t in who.teams if t not in present]  # a team account's team without an assessment
        return render_template("start.html", teams=teams, invalid=invalid, statuses=STATUS_ORDER,
                               can_start=who.can_start_team, not_started=not_started)

    @app.route("/nieuw", methods=["GET", "POST"])
    @needs(lambda who, **_: who.can_start_team)
    def new_team():
        values = dict.fromkeys(("id", "naam", "gemeente", "organisatie", "taken", "peildatum"), "")
        if len(g.principal.teams) == 1:  # a team account starts its own team
            values["id"] = g.principal.teams[0]
        problems: dict = {}
        if request.method == "POST":
            values = {k: (request.form.get(k) or "").strip()[:200] for k in values}
            result = _create(values, g.principal)
            if isinstance(result, str):
                return redirect(url_for("questionnaire", team_id=result), 303)
            problems = result
        return render_template("nieuw.html", values=values, problems=problems), (422 if problems else 200)

    def _create(values: dict, who: Principal):
        """A new team's first assessment, as `kader nieuw`; returns its id, or the problems per field."""
        from kadertoets.editors.newassessment import new_assessment_file, parse_tasks

        if values["id"] and not values["id"].strip("."):  # /team/. and /team/.. are dot segments a browser removes
            return {"id": ["Een korte naam van alleen punten kan de browser niet openen. Gebruik letters of cijfers, "
                           "bv. soest."]}
        if values["id"] and not who.can_write_team(values["id"]):
            return {"id": ["Met uw account kunt u alleen een assessment voor uw eigen team beginnen."]}
        sweep = site.sweep()
        if values["id"] and site.team(sweep, values["id"]) is not None:
            return {"id": ["Er is al een team met deze korte naam. Open het team en begin daar een nieuwe peildatum."]}
        try:
            tasks = parse_tasks(values["taken"])
            team = {k: values[k] for k in ("id", "naam", "gemeente", "organisatie")} | {"taken": tasks}
            new_assessment_file(site.new_folder(), team, values["peildatum"], None, site.kader_dir)
        except KaderFout as exc:
            return _by_form_field(exc)
        return values["id"]

    @app.get("/team/<team_id>")
    @read_team
    def team(team_id: str):
        from kadertoets.evaluate.plan import build_plan

        _, ev = team_or_404(team_id)
        evaluation = site.check(ev)
        plan = build_plan(evaluation)
        show_all = request.args.get("alles") == "1"
        order = {s: n for n, s in enumerate(STATUS_ORDER)}
        findings = sorted((f for f in evaluation.findings if show_all or f.status in (
            Status.VOLDOET_NIET, Status.DEELS, Status.ONBEKEND)), key=lambda f: (order[f.status], f.rule_id))
        data = Path(ev.assessment.file).read_bytes()
        return render_template("team.html", ev=evaluation, findings=findings, plan=plan, show_all=show_all,
                               questions=evaluation.kader.questions, version=answersave.version_tag(data),
                               can_write=g.principal.can_write_team(team_id), statuses=ACTION_STATUSES,
                               today=made_at().date())

    @app.post("/team/<team_id>/plan")
    @write_team
    def save_plan(team_id: str):
        _, ev = team_or_404(team_id)
        statuses = {}
        for n in range(1, len(ev.assessment.plan) + 1):
            value = request.form.get(f"status:{n}")
            if value is not None:
                statuses[n] = value
        result = _save(ev, request.form.get("versie"), statuses=statuses)
        if isinstance(result, answersave.Saved):
            flash("Plan opgeslagen." if result.written else "Niets veranderd in het plan; het bestand is niet gewijzigd.")
            return redirect(url_for("team", team_id=team_id), 303)
        if isinstance(result, answersave.Stale):
            return refuse(409, "het assessment is intussen door iemand anders veranderd; uw wijziging is niet "
                               "opgeslagen", "Open het team opnieuw, bekijk de acties en pas ze zo nodig opnieuw aan.")
        return refuse(422, "; ".join(p.message for ps in result.by_question.values() for p in ps)[:500])

    @app.post("/team/<team_id>/voorstellen")
    @write_team
    def add_proposals(team_id: str):
        from kadertoets.editors.planwrite import update_plan_file

        _, ev = team_or_404(team_id)
        path = Path(ev.assessment.file)
        with answersave.file_lock(path):  # one save at a time, and the previous version kept, as every save
            data = path.read_bytes()
            if not answersave.same_version(request.form.get("versie"), data):
                return refuse(409, "het assessment is intussen veranderd; er is niets toegevoegd",
                              "Open het team opnieuw en probeer het nog eens.")
            kept, written = Path(answersave.keep_history(path, data, saved_at())), False
            try:
                result = update_plan_file(path, site.kader_dir)
                written = result.written
            finally:
                if not written:  # nothing added: no second copy of the same version
                    kept.unlink(missing_ok=True)
        n = len(result.added)
        flash(f"{n} voorgestelde {'actie' if n == 1 else 'acties'} in het plan gezet.")
        return redirect(url_for("team", team_id=team_id), 303)

    @app.post("/team/<team_id>/peildatum")
    @write_team
    def new_reference_date(team_id: str):
        from kadertoets.editors.newassessment import new_assessment_file, team_values

        _, ev = team_or_404(team_id)
        values = team_values(ev.assessment.team)
        try:
            new_assessment_file(Path(ev.assessment.file).parent, values, (request.form.get("peildatum") or "")[:40],
                                Path(ev.assessment.file), site.kader_dir)
        except KaderFout as exc:
            return refuse(422, "; ".join(p.message for p in exc.problems)[:500],
                          "Kies een peildatum na die van het huidige assessment, als dd-mm-jjjj.")
        flash("Nieuw assessment begonnen met de antwoorden van de vorige peildatum. Kijk ze na en pas aan wat "
              "veranderd is.")
        return redirect(url_for("questionnaire", team_id=team_id), 303)

    @app.route("/team/<team_id>/vragenlijst", methods=["GET", "POST"])
    @read_team
    def questionnaire(team_id: str):
        _, ev = team_or_404(team_id)
        evaluation = site.check(ev)
        kader, assessment = evaluation.kader, evaluation.assessment
        data = Path(assessment.file).read_bytes()
        version = answersave.version_tag(data)
        overlay, problems, message, conflicts, status = None, None, None, [], 200
        if request.method == "POST":
            if not g.principal.can_write_team(team_id):
                return refuse(403, "u mag de antwoorden van dit team lezen, niet wijzigen")
            overlay = posted_answers(request.form, kader)
            result = _save(ev, request.form.get("versie"), answers=overlay)
            if isinstance(result, answersave.Saved):
                n = len(result.changed)
                flash(f"Opgeslagen: {n} {'antwoord' if n == 1 else 'antwoorden'} veranderd." if result.written
                      else "Niets veranderd; het bestand is niet gewijzigd.")
                return redirect(url_for("team", team_id=team_id), 303)
            if isinstance(result, answersave.Stale):
                assessment, version = result.assessment, result.current
                conflicts = _conflicts(overlay, request.form.get("basis"), assessment, kader)
                message = ("Iemand anders heeft dit assessment intussen opgeslagen. Er is niets geschreven. "
                           + ("Hieronder staat wat u invulde; bij elke vraag die u én de ander wijzigden ziet u ook "
                              "wat er nu in het bestand staat." if conflicts else
                              "De ander wijzigde andere vragen dan u; die staan nu ook in het formulier, met uw "
                              "eigen wijzigingen.")
                           + " Sla opnieuw op om uw antwoorden te bewaren.")
                overlay = {k: v for k, v in overlay.items() if k in {c["vraag"] for c in conflicts}
                           or _changed_by_user(k, v, request.form.get("basis"))}
                status = 409
            else:
                problems = {q: [said(p) for p in ps]
                            for q, ps in result.by_question.items()}
                message = "Er is niets opgeslagen: verbeter de antwoorden met een melding."
                status = 422
        fields = grouped(kader, assessment, overlay, problems)
        return render_template("vragenlijst.html", ev=evaluation, assessment=assessment, groups=fields,
                               version=version, basis=_basis(fields), message=message,
                               general=(problems or {}).get(""), conflicts=conflicts,
                               can_write=g.principal.can_write_team(team_id)), status

    def _save(ev, based_on, answers=None, statuses=None):
        try:
            return answersave.save(Path(ev.assessment.file), based_on, saved_at(), answers=answers, statuses=statuses,
                                   kader_dir=site.kader_dir, kaders=site.kaders)
        except KaderFout as exc:
            if "veranderd terwijl" in exc.problems[0].message:
                data = Path(ev.assessment.file).read_bytes()
                return answersave.Stale(ev.assessment.file, answersave.version_tag(data), ev.assessment)
            raise

    @app.get("/team/<team_id>/vragenlijst.xlsx")
    @read_team
    def questionnaire_xlsx(team_id: str):
        from kadertoets.render.questionnaire_xlsx import questionnaire_xlsx as workbook

        _, ev = team_or_404(team_id)
        evaluation = site.check(ev)
        return _download(workbook(evaluation.assessment, evaluation.kader), "xlsx", f"vragenlijst-{team_id}")

    @app.get("/team/<team_id>/tekorten.json")
    @read_team
    def team_json(team_id: str):
        _, ev = team_or_404(team_id)
        return _download(render("check", "json", site.check(ev), _options()), "json", f"tekorten-{team_id}")

    @app.get("/regio")
    @read_region
    def region():
        from kadertoets.render import STATUS_SYMBOL, WAITING_LABEL, WAITING_SYMBOL
        from kadertoets.render.sweep import cell_symbol
        from kadertoets.sweep.trend import build_trend

        sweep = site.sweep()
        trend = build_trend(sweep)
        legend = [(STATUS_SYMBOL[s], STATUS_LABEL[s]) for s in STATUS_ORDER] + [(WAITING_SYMBOL, WAITING_LABEL),
                                                                              ("·", "hoort niet bij de Kaderversie")]
        meaning = dict((symbol, label) for symbol, label in legend)
        return render_template("regio.html", sweep=sweep, requirements=sweep.requirements(),
                               teams=sweep.evaluations, symbol=cell_symbol, trend=trend, statuses=STATUS_ORDER,
                               legend=legend, meaning=meaning)

    @app.get("/regio/<kind>.<fmt>")
    @read_region
    def region_download(kind: str, fmt: str):
        from kadertoets.sweep.trend import build_trend

        if kind not in ("overzicht", "trend") or fmt not in ("xlsx", "html", "csv", "json"):
            abort(404)
        sweep = site.sweep()
        result = sweep if kind == "overzicht" else build_trend(sweep)
        return _download(render("sweep" if kind == "overzicht" else "trend", fmt, result, _options()), fmt,
                         f"regio-{kind}")

    @app.get("/kader")
    @needs(lambda who, **_: who.can_edit_kader)
    def kader_page():
        from kadertoets.editors.lint import lint as lint_kader
        from kadertoets.sweep.run import load_kader_for_listing
        from kadertoets.validate.selftest import run_selftest

        lint_result = lint_kader(site.kader_folder, ())
        lint_text = render("lint", "text", lint_result, _options())
        try:
            test_text = render("test", "text", run_selftest(load_kader_for_listing(site.kader_dir), (), []), _options())
        except KaderFout as exc:
            test_text = "\n".join(p.message for p in exc.problems)
        return render_template("kader.html", lint=lint_text, test=test_text, lint_code=lint_result.exit_code(False))

    @app.get("/team/<team_id>/geschiedenis")
    @read_team
    def history(team_id: str):
        _, ev = team_or_404(team_id)
        path = Path(ev.assessment.file)
        return render_template("geschiedenis.html", a=ev.assessment, versions=answersave.kept_versions(path),
                               version=answersave.version_tag(path.read_bytes()),
                               can_write=g.principal.can_write_team(team_id))

    @app.get("/team/<team_id>/geschiedenis/<name>")
    @read_team
    def history_version(team_id: str, name: str):
        _, ev = team_or_404(team_id)
        data = answersave.kept_bytes(Path(ev.assessment.file), name)
        if data is None:
            abort(404)
        response = Response(data, 200, content_type="text/plain; charset=utf-8")
        response.headers["Content-Disposition"] = f'attachment; filename="{team_id}-{name}"'
        return response

    @app.post("/team/<team_id>/geschiedenis/<name>/terugzetten")
    @write_team
    def history_restore(team_id: str, name: str):
        _, ev = team_or_404(team_id)
        result = answersave.restore(Path(ev.assessment.file), name, request.form.get("versie"), saved_at(),
                                    site.kader_dir, kaders=site.kaders)
        if isinstance(result, answersave.Stale):
            return refuse(409, "het assessment is intussen veranderd; er is niets teruggezet",
                          "Open de geschiedenis opnieuw en kies nog eens.")
        if isinstance(result, answersave.Invalid):
            return refuse(422, " ".join(said(p) for ps in result.by_question.values() for p in ps))
        flash("De eerdere versie is teruggezet. De versie die er stond, staat nu in de geschiedenis.")
        return redirect(url_for("team", team_id=team_id), 303)

    # ------------------------------------------------------------------ the JSON API ----------------
    @app.get("/api/teams")
    @needs()
    def api_teams():
        sweep = site.sweep()
        out = []
        for t in sweep.teams():
            team = t.evaluation.assessment.team
            if not g.principal.can_read_team(team.id):
                continue
            out.append({"id": team.id, "naam": team.name, "gemeente": team.municipality,
                        "peildatum": t.evaluation.assessment.reference_date.isoformat(), "aantallen": t.counts,
                        "volledigheid": round(t.completeness, 4), "verouderd_bewijs": t.stale_evidence})
        return _json_text(json.dumps({"teams": out}, ensure_ascii=False, indent=2) + "\n")

    @app.get("/api/teams/<team_id>")
    @read_team
    def api_team(team_id: str):
        _, ev = team_or_404(team_id)
        data = Path(ev.assessment.file).read_bytes()
        response = _json_text(render("check", "json", site.check(ev), _options()))
        response.headers["ETag"] = answersave.version_tag(data)
        return response

    @app.get("/api/regio")
    @read_region
    def api_region():
        options = _options()  # the same text for every request of one moment and one state of the files
        return _json_text(site.kept(("sweep-json", options.made_at),
                                    lambda: render("sweep", "json", site.sweep(), options)))

    @app.put("/api/teams/<team_id>/feiten")
    @write_team
    def api_save(team_id: str):
        _, ev = team_or_404(team_id)
        if not request.headers.get("If-Match"):
            return refuse(428, "zeg op welke versie van het assessment deze wijziging gebaseerd is",
                          "Stuur de ETag van GET /api/teams/<id> mee als 'If-Match'.")
        try:
            body = request.get_json(silent=True)
        except RecursionError:  # nested deeper than the JSON reader goes
            body = None
        if not isinstance(body, dict) or not body:
            return refuse(400, "verwacht een JSON-object {vraag: waarde}", 'Bijvoorbeeld {"algemeen.inwoners": 12000}.')
        answers = {}
        for qid, value in body.items():
            answers[qid] = dict(value) if isinstance(value, dict) else {"waarde": value}
            unknown = set(answers[qid]) - set(answersave.EDITABLE_PARTS)
            if unknown:
                return refuse(422, f"onbekend onderdeel {excerpt(sorted(unknown)[0], 40)} bij vraag {excerpt(qid, 80)}",
                              "Gebruik " + ", ".join(answersave.EDITABLE_PARTS) + ".")
            if not _plain_json(qid):
                return refuse(422, f"vraag {excerpt(qid, 80)} bevat tekens die geen geldige Unicode zijn",
                              "Gebruik de vraagcodes van 'kader vragen'.")
            odd = next((part for part, v in answers[qid].items() if not _plain_json(v)), None)
            if odd is not None:
                return refuse(422, f"{odd} van vraag {excerpt(qid, 80)} is geen getal, tekst, ja/nee, datum of lijst "
                                   "van keuzes, of bevat tekens die geen geldige Unicode zijn",
                              'Bijvoorbeeld {"algemeen.inwoners": 12000}, of {"vraag": {"waarde": ..., '
                              '"toelichting": "..."}}.')
        result = _save(ev, request.headers.get("If-Match"), answers=answers)
        if isinstance(result, answersave.Stale):
            response = refuse(412, "het assessment is veranderd sinds de versie waarop deze wijziging gebaseerd is; "
                                   "er is niets geschreven", "Haal het team opnieuw op en stuur de wijziging opnieuw.")
            response.headers["ETag"] = result.current
            return response
        if isinstance(result, answersave.Invalid):
            body = {"fout": "ongeldige waarden; er is niets geschreven", "status": 422,
                    "velden": {q: [said(p) for p in ps]
                               for q, ps in result.by_question.items()}}
            return Response(json.dumps(body, ensure_ascii=False, indent=2) + "\n", 422, mimetype="application/json")
        response = _json_text(render("check", "json", site.check(ev), _options()))
        response.headers["ETag"] = result.version
        return response

    # ------------------------------------------------------------------ errors ----------------------
    @app.errorhandler(404)
    def not_found(_):
        return refuse(404, "niet gevonden: dit team of deze pagina bestaat niet", "Kies een team op de startpagina.")

    @app.errorhandler(405)
    def not_allowed(_):
        return refuse(405, "deze handeling kan hier niet")

    @app.errorhandler(413)
    def too_large(_):
        return refuse(413, f"het verzoek is te groot (meer dan {MAX_REQUEST_BYTES // (1024 * 1024)} MB)")

    @app.errorhandler(400)
    def bad_request(_):
        return refuse(400, "het verzoek kon niet gelezen worden")

    @app.errorhandler(KaderFout)
    def invalid_file(exc: KaderFout):
        lines = [(p.location() + ": " if p.file else "") + p.message for p in exc.problems[:20]]
        # a file that does not load, or one that could not be written: the problem says which
        return refuse(422, "dit lukte niet: " + "; ".join(lines)[:1500],
                      "Verbeter wat de melding noemt (bij een ongeldig bestand zegt 'kader check BESTAND' precies "
                      "wat er mis is) en laad de pagina opnieuw.")

    @app.errorhandler(500)
    def internal(_):
        return refuse(500, "er ging iets mis in kadertoets (niet in uw invoer)", "Meld dit met wat u deed.")

    return app


# ---------------------------------------------------------------------- helpers ------------------------
def said(p) -> str:
    """A problem as one Dutch sentence or two: what is wrong, then how to fix it."""
    text = p.message[:1].upper() + p.message[1:]
    text = text if text.endswith((".", "?", "!")) else text + "."
    return f"{text} {p.hint}" if p.hint else text


def _plain_json(value, nested: bool = False) -> bool:
    """Whether a posted value can be an answer: a JSON scalar with valid text, or a flat list of them
    (several choices); anything nested deeper is refused before the loader sees it."""
    if isinstance(value, list) and not nested:
        return all(_plain_json(v, nested=True) for v in value)
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate (\ud800) cannot be written into a file
            return False
        return True
    return value is None or isinstance(value, (bool, int, float))


def is_loopback_address(address: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


def _local_target(value) -> str:
    """Where to go after logging in: a path on this site only (no open redirect)."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//") and "\\" not in value \
            and len(value) < 300 and value.isprintable():
        return value
    return "/"


def _by_form_field(exc: KaderFout) -> dict:
    """The problems of a new team, per form field (the options of kader nieuw are its fields)."""
    from kadertoets.editors.newassessment import TEAM_OPTIONS

    field_of = {option: key for key, option in TEAM_OPTIONS.items()} | {"--peildatum": "peildatum"}
    out: dict[str, list[str]] = {}
    for p in exc.problems:
        key = field_of.get(p.field or "", "")
        out.setdefault(key, []).append(said(p))
    return out


def _basis(groups) -> str:
    """The answers as the form shows them, to tell later which ones the person changed."""
    return json.dumps({f.path: [f.value, list(f.chosen), f.note, f.evidence, f.evidence_date]
                       for _, fields in groups for f in fields}, ensure_ascii=False, separators=(",", ":"))


def _posted_shape(parts: dict) -> list:
    value = parts.get("waarde")
    return [value if not isinstance(value, list) else "", value if isinstance(value, list) else [],
            parts.get("toelichting") or "", parts.get("bewijs") or "", parts.get("bewijs_datum") or ""]


def _changed_by_user(qid: str, parts: dict, basis_text) -> bool:
    try:
        basis = json.loads(basis_text or "{}")
    except (ValueError, RecursionError):
        return True
    old = basis.get(qid) if isinstance(basis, dict) else None
    if not isinstance(old, list) or len(old) != 5:
        return True
    new = _posted_shape(parts)
    old = [old[0] or None, old[1], old[2], old[3], old[4]]
    new = [new[0] or None, new[1], new[2], new[3], new[4]]
    if "waarde" not in parts:
        new[0], new[1] = old[0], old[1]
    return new != old


def _conflicts(overlay: dict, basis_text, current, kader) -> list[dict]:
    """The questions the person changed that someone else changed meanwhile too, each to something else:
    both values. (A question only the person changed is not a conflict; it is kept in the form.)"""
    from kadertoets.load.workbook import answer_kind
    from kadertoets.web.forms import shown_value

    try:
        basis = json.loads(basis_text or "{}")
    except (ValueError, RecursionError):
        basis = {}
    basis = basis if isinstance(basis, dict) else {}
    now_shown = {f.path: [f.value, list(f.chosen), f.note, f.evidence, f.evidence_date]
                 for _, fields in grouped(kader, current) for f in fields}
    out = []
    for qid, parts in overlay.items():
        if not _changed_by_user(qid, parts, basis_text):
            continue
        if qid in basis and basis.get(qid) == now_shown.get(qid):
            continue  # nobody else changed it: the person's value simply stands
        q = kader.questions[qid]
        f = current.facts.get(qid)
        now = "" if f is None or f.value is None else (
            ", ".join(f.value) if isinstance(f.value, tuple) else shown_value(f.value, answer_kind(q)))
        mine = parts.get("waarde")
        mine = ", ".join(mine) if isinstance(mine, list) else (mine or "")
        if now != mine:
            out.append({"vraag": qid, "tekst": q.question, "uw_waarde": mine or "(leeg: onbekend)",
                        "nu": now or "(leeg: onbekend)"})
    return out


def _json_text(text: str) -> Response:
    return Response(text, 200, mimetype="application/json")


def _download(content, fmt: str, stem: str) -> Response:
    data = content if isinstance(content, (bytes, bytearray)) else content.encode("utf-8-sig" if has_bom(fmt) else "utf-8")
    response = Response(data, 200, content_type=DOWNLOADS[fmt])
    safe = "".join(ch for ch in stem if ch.isalnum() or ch in "-_.")[:80] or "export"
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}.{fmt}"'
    if fmt == "html":  # an export opened from the page: its own inline style, never its scripts
        response.headers["Content-Security-Policy"] = ("default-src 'none'; style-src 'unsafe-inline'; "
                                                       "frame-ancestors 'none'; sandbox")
    return response
