"""The access rule and the users in configuration (issue 16 item 1): hashes, users, roles, labels."""
from __future__ import annotations

import hashlib
import base64
import subprocess
import sys
import tomllib

import pandas as pd
import pytest

from mentorkit.errors import MentorkitError
from mentorkit.manage import access, signin


def test_the_hash_is_salted_scrypt_and_verifies_independently():
    a = access.hash_password("correct horse 42", n=2**10)
    b = access.hash_password("correct horse 42", n=2**10)
    assert a != b  # a fresh salt each time
    scheme, n, r, p, salt, digest = a.split("$")
    # recomputed here with hashlib.scrypt directly, from the stored parameters
    again = hashlib.scrypt(b"correct horse 42", salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32)
    assert (scheme, base64.b64decode(digest)) == ("scrypt", again)
    assert access.verify_password("correct horse 42", a) and not access.verify_password("correct horse 43", a)
    assert not access.verify_password("x", "plain-text") and not access.verify_password("x", "scrypt$1$2$3$!!$!!")


def test_add_user_keeps_the_rest_of_the_file_and_replaces_a_user(tmp_path):
    cfg = tmp_path / "mentorkit.toml"
    cfg.write_text('# our settings\n[mentorkit]\nsalt = "s"\nmin_group_size = 7\n', encoding="utf-8")
    access.add_user("amara", "program_manager", "first pass 1", cfg)
    access.add_user("ben", "researcher", "second pass", cfg)
    access.add_user("amara", "viewer", "third pass 3", cfg)
    data = tomllib.loads(cfg.read_text(encoding="utf-8"))
    assert data["mentorkit"]["salt"] == "s" and data["mentorkit"]["min_group_size"] == 7
    assert "# our settings" in cfg.read_text(encoding="utf-8")
    found = access.users(cfg)
    assert {u.name: u.role for u in found.values()} == {"amara": "viewer", "ben": "researcher"}
    assert "third pass 3" not in cfg.read_text(encoding="utf-8")
    assert access.authenticate("amara", "third pass 3", cfg).role == "viewer"
    assert access.authenticate("amara", "first pass 1", cfg) is None
    assert access.authenticate("nobody", "third pass 3", cfg) is None


@pytest.mark.parametrize("table, message", [
    ('[users.amara]\nrole = "boss"\npassword = "scrypt$1$1$1$a$b"\n', "role 'boss' is not one of"),
    ('[users.amara]\nrole = "viewer"\npassword = "hunter2"\n', "must be a scrypt hash"),
    ('[users."bad name"]\nrole = "viewer"\npassword = "scrypt$1$1$1$a$b"\n', "a user name is letters"),
])
def test_a_bad_users_table_names_the_file_and_user(tmp_path, table, message):
    cfg = tmp_path / "m.toml"
    cfg.write_text(table, encoding="utf-8")
    with pytest.raises(MentorkitError, match=message) as exc:
        access.users(cfg)
    assert str(cfg) in str(exc.value) and "[users." in str(exc.value)


def test_only_a_program_manager_sees_names_and_only_in_operational_views():
    pm, res = access.Viewer("amara", "program_manager"), access.Viewer("ben", "researcher")
    for view in ("nudges", "pairs", "mentor_load"):
        assert access.sees_names(pm, view) and not access.sees_names(res, view)
    for view in ("research", "survey", "outcomes", "retention"):
        assert not access.sees_names(pm, view)
    assert not access.sees_names(access.Viewer(None, "program_manager"), "nudges")
    assert not access.sees_names(None, "nudges")


def test_labels_join_names_from_the_roster_keeping_the_index():
    contacts = pd.DataFrame({"participant_id": ["P1", "P2"], "name": ["Ana Silva", ""]})
    ids = pd.Series(["P2", "P1", "P9"], index=[10, 11, 12])
    got = access.person_labels(ids, access.Viewer("amara", "program_manager"), "pairs", contacts)
    assert got.to_dict() == {10: "P2", 11: "Ana Silva (P1)", 12: "P9"}
    assert access.person_labels(ids, access.Viewer("amara", "program_manager"), "survey", contacts).tolist() == \
        ["P2", "P1", "P9"]


def test_the_viewer_comes_from_the_kernel_environment_and_unknown_roles_count_as_none(monkeypatch):
    monkeypatch.setenv("MENTORKIT_USER", "amara")
    monkeypatch.setenv("MENTORKIT_ROLE", "program_manager")
    assert access.current_viewer() == access.Viewer("amara", "program_manager")
    monkeypatch.setenv("MENTORKIT_ROLE", "admin")
    assert access.current_viewer().role is None
    monkeypatch.delenv("MENTORKIT_USER")
    monkeypatch.setenv("MENTORKIT_ROLE", "program_manager")
    assert not access.sees_names(access.current_viewer(), "nudges")


def test_kernel_env_never_passes_a_role_on_to_a_preheated_kernel_or_without_a_request():
    env = {"MENTORKIT_USER": "amara", "MENTORKIT_ROLE": "program_manager", "VOILA_PREHEAT": "True", "A": "1"}
    assert signin.kernel_env(env) == {"VOILA_PREHEAT": "True", "A": "1"}
    env["VOILA_PREHEAT"] = "False"
    assert signin.kernel_env(env) == {"VOILA_PREHEAT": "False", "A": "1"}
    assert signin.kernel_env(None) is None


def test_the_user_add_command_writes_a_hash_and_refuses_a_bad_role(tmp_path):
    cfg = tmp_path / "mentorkit.toml"
    cmd = [sys.executable, "-m", "mentorkit.cli", "user", "add", "amara", "--role", "program_manager",
           "--config", str(cfg), "--password-stdin"]
    out = subprocess.run(cmd, input="long enough pass\n", capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert access.authenticate("amara", "long enough pass", cfg).role == "program_manager"
    assert "long enough pass" not in cfg.read_text(encoding="utf-8")
    bad = subprocess.run(cmd[:7] + ["boss"] + cmd[8:], input="long enough pass\n", capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode != 0 and "role 'boss' is not one of" in bad.stderr and "Traceback" not in bad.stderr
    listed = subprocess.run([sys.executable, "-m", "mentorkit.cli", "user", "list", "--config", str(cfg)],
                            capture_output=True, text=True, timeout=120)
    assert listed.stdout.split() == ["amara", "program_manager"] and "scrypt" not in listed.stdout
