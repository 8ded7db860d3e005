"""The CI templates: valid YAML, and every ftstress command they use exists with those options."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
from ftest import FTSTRESS, SOURCE, check, main, run  # noqa: E402

TEMPLATES = sorted(os.path.join(SOURCE, "ci", f) for f in os.listdir(os.path.join(SOURCE, "ci")) if f.endswith(".yml"))


def commands(text):
    """(command, [--options]) for every `scripts/ftstress CMD ...` line, continuations joined."""
    text = re.sub(r"\\\n\s*", " ", text)
    text = re.sub(r"\n\s+(--)", r" \1", text)  # YAML folded continuation lines in the GitLab guide
    found = []
    for m in re.finditer(r"scripts/ftstress (\w[\w-]*)([^\n]*)", text):
        found.append((m.group(1), re.findall(r"(?<!\S)(--[a-z][a-z-]*)", m.group(2))))
    return found


def test_templates_are_valid_yaml():
    # Parsed with libyaml by the unit-test binary (tests/unit/test_ci_templates.c): no Python YAML
    # library is needed on the machine.
    p = subprocess.run([os.path.join(os.path.dirname(FTSTRESS), "../tests/ftstress_unit"), "--one",
                        "test_ci_templates_parse"], capture_output=True, text=True)
    check(p.returncode == 0, "libyaml rejects a template", p.stdout, p.stderr)
    check(TEMPLATES, "no template found in ci/")
    for path in TEMPLATES:
        check("parsed %s" % path in p.stdout, "%s was not parsed" % path, p.stdout)


def test_every_command_and_option_exists():
    texts = [open(p).read() for p in TEMPLATES] + [open(os.path.join(SOURCE, "ci/README.md")).read()]
    used = [c for t in texts for c in commands(t)]
    check(len(used) >= 5, "commands found: %s" % used)
    for command, options in used:
        rc, out, err = run(command, "--help")
        check(rc == 0, "ftstress %s --help: exit %d" % (command, rc), out, err)
        for option in options:
            check(option in out, "ftstress %s has no %s" % (command, option), out)


main([test_templates_are_valid_yaml, test_every_command_and_option_exists])
