"""The commands around the web page that do not run a server: where `kader serve` looks by default,
the options that do not fit together, the examples copied to practise with, and the accounts file
read again when it changes (web/serve.py AccountsFile)."""

from __future__ import annotations

import io

from click.testing import CliRunner

from kadertoets.cli import main
from kadertoets.web.accounts import add_account
from kadertoets.web.serve import AccountsFile, host_names, settings_for

PASSWORD = "een lang genoeg wachtwoord"


def run(args, **kwargs):
    result = CliRunner().invoke(main, args, **kwargs)
    assert "Traceback" not in result.output
    return result


def test_serve_without_a_folder_says_how_to_start_and_never_serves_the_installed_package(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(["serve"])
    assert result.exit_code == 2
    assert "kader voorbeelden --naar assessments" in result.output


def test_serve_on_the_network_needs_accounts(tmp_path):
    result = run(["serve", str(tmp_path), "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "accounts" in result.output and "--gebruikers" in result.output


def test_the_examples_are_copied_to_a_new_folder_and_never_over_one(tmp_path):
    target = tmp_path / "oefenen"
    assert run(["voorbeelden", "--naar", str(target)]).exit_code == 0
    names = sorted(p.name for p in target.iterdir())
    assert "bunschoten-2023-03.yaml" in names and "regio-2023-03.yaml" in names
    (target / "bunschoten-2023-03.yaml").write_text("eigen werk", encoding="utf-8")
    again = run(["voorbeelden", "--naar", str(target)])
    assert again.exit_code == 2 and "niet leeg" in again.output
    assert (target / "bunschoten-2023-03.yaml").read_text(encoding="utf-8") == "eigen werk"


def test_hosts_served_are_the_loopback_names_or_the_given_ones():
    assert host_names("127.0.0.1", 8000) == {"127.0.0.1:8000", "localhost:8000", "[::1]:8000"}
    assert host_names("0.0.0.0", 8000, ["Kadertoets.Regio.nl"]) == {"0.0.0.0:8000", "kadertoets.regio.nl"}


def test_an_account_added_while_serving_can_log_in_without_a_restart(tmp_path):
    users = tmp_path / "gebruikers.yaml"
    add_account(users, "anne", "team", ["soest"], PASSWORD)
    accounts = AccountsFile(users, err=io.StringIO())
    assert accounts.authenticate("bas", PASSWORD) is None
    add_account(users, "bas", "regio", [], PASSWORD)
    assert accounts.authenticate("bas", PASSWORD).role == "regio"


def test_an_accounts_file_that_breaks_while_serving_fails_closed(tmp_path):
    users = tmp_path / "gebruikers.yaml"
    add_account(users, "anne", "team", ["soest"], PASSWORD)
    err = io.StringIO()
    accounts = AccountsFile(users, err=err)
    assert accounts.get("anne") is not None
    users.write_text(users.read_text(encoding="utf-8") + "\n  - kapot: [\n", encoding="utf-8")
    assert accounts.get("anne") is None and accounts.authenticate("anne", PASSWORD) is None
    assert "niemand kan zich aanmelden" in err.getvalue()


def test_regional_settings_send_the_cookie_over_https_only_unless_asked(tmp_path):
    users = tmp_path / "gebruikers.yaml"
    add_account(users, "anne", "team", ["soest"], PASSWORD)
    assert settings_for([tmp_path], "0.0.0.0", users, None).secure_cookie
    assert not settings_for([tmp_path], "0.0.0.0", users, None, without_https=True).secure_cookie
    local = settings_for([tmp_path], "127.0.0.1", None, None)
    assert local.token and len(local.token) >= 32 and local.accounts is None and not local.secure_cookie


def test_the_proxy_is_one_ip_address(tmp_path):
    result = run(["serve", str(tmp_path), "--proxy", "webserver.local"])
    assert result.exit_code == 2 and "geen IP-adres" in result.output
