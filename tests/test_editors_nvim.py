"""The Neovim 0.7 config of docs/editors.md, run as written in a headless `nvim`: opening a
buggy module of a two-module project starts `scopelint server` at the project's root, its
diagnostics arrive in the buffer, and the project's other module joins the same client."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.editor_project import LAYERS

pytest.importorskip("pygls")
pytestmark = [
    pytest.mark.skipif(shutil.which("nvim") is None,
                       reason="nvim is not on PATH (Debian: apt-get install neovim)"),
    pytest.mark.skipif(os.name == "nt", reason="the `scopelint` shim is a shell script"),
]

ROOT = Path(__file__).resolve().parent.parent
CONFIG = re.compile(r"<!-- nvim-0\.7: [^>]*-->\n```lua\n(.*?)```", re.DOTALL)
WAIT_MS = 45_000  # for the first diagnostics: the server imports the engine first

TRAIN = '''import tensorflow.compat.v1 as tf

from layers import dense

x = tf.placeholder(tf.float32, [None, 3])
with tf.name_scope("model"):
    v = tf.get_variable("v", [1])
h = dense(x, "hidden")
h2 = dense(h, "hidden")
'''

# Opens the buggy file, waits for its diagnostics, then the other module in a split; writes what
# it saw (or the error that stopped it) as JSON and quits, whatever happened.
PROBE = '''
local result = { diagnostics = {}, clients = {} }
local ok, err = pcall(function()
  dofile(os.getenv("PROBE_CONFIG"))
  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("PROBE_BUGGY")))
  vim.wait(tonumber(os.getenv("PROBE_WAIT_MS")),
           function() return #vim.diagnostic.get(0) > 0 end, 50)
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(result.diagnostics,
                 { code = d.code, line = d.lnum + 1, col = d.col + 1, severity = d.severity })
  end
  vim.cmd("split " .. vim.fn.fnameescape(os.getenv("PROBE_OTHER")))
  vim.wait(5000, function() return #vim.lsp.buf_get_clients(0) > 0 end, 50)
  for _, client in pairs(vim.lsp.get_active_clients()) do
    table.insert(result.clients, { name = client.name, root_dir = client.config.root_dir,
                                   attached = #vim.lsp.get_buffers_by_client_id(client.id) })
  end
end)
result.error = ok and "" or tostring(err)
vim.fn.writefile({ vim.fn.json_encode(result) }, os.getenv("PROBE_OUTPUT"))
vim.cmd("qall!")
'''


def documented_config() -> str:
    found = CONFIG.findall((ROOT / "docs" / "editors.md").read_text(encoding="utf-8"))
    assert len(found) == 1, "docs/editors.md: one ```lua block after <!-- nvim-0.7: ... -->"
    return found[0]


def test_neovim_07_config_shows_the_diagnostics(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[tool.scopelint]\n")
    (project / "layers.py").write_text(LAYERS)
    (project / "train.py").write_text(TRAIN)
    shims = tmp_path / "bin"  # `scopelint` as the config names it, run from this environment
    shims.mkdir()
    shim = shims / "scopelint"
    shim.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m scopelint \"$@\"\n")
    shim.chmod(0o755)
    (tmp_path / "config.lua").write_text(documented_config(), encoding="utf-8")
    (tmp_path / "probe.lua").write_text(PROBE, encoding="utf-8")
    output = tmp_path / "seen.json"
    env = {**os.environ, "PATH": f"{shims}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": str(ROOT), "PROBE_CONFIG": str(tmp_path / "config.lua"),
           "PROBE_BUGGY": str(project / "train.py"), "PROBE_OTHER": str(project / "layers.py"),
           "PROBE_WAIT_MS": str(WAIT_MS), "PROBE_OUTPUT": str(output),
           **{f"XDG_{kind}_HOME": str(tmp_path / kind.lower())  # nvim's lsp.log goes there
              for kind in ("CONFIG", "DATA", "STATE", "CACHE")}}
    run = subprocess.run(["nvim", "--headless", "--clean", "-c", f"luafile {tmp_path}/probe.lua"],
                         cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                         text=True, timeout=WAIT_MS / 1000 + 30)
    assert output.is_file(), f"nvim wrote nothing (exit {run.returncode}):\n{run.stderr}"
    seen = json.loads(output.read_text(encoding="utf-8"))
    assert seen["error"] == "", seen["error"]
    diagnostics = sorted((d["line"], d["col"], d["code"], d["severity"])
                         for d in seen["diagnostics"] or [])
    # severities as vim.diagnostic.severity: 1 ERROR, 2 WARN
    assert diagnostics == [(7, 9, "TFS201", 2), (9, 6, "TFS101", 1)], run.stderr
    assert seen["clients"] == [{"name": "scopelint", "root_dir": str(project), "attached": 2}]
