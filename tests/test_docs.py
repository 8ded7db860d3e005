"""Docs stay true: every relative link in README.md and docs/*.md resolves, and every option a command's --help prints is in docs/running.md."""
import glob
import os
import re
import subprocess
import sys
import unittest

SOURCE = os.environ.get("FTSTRESS_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("FTSTRESS_BIN")

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")


def prose_lines(text):
    """The lines of a markdown text outside fenced code blocks, with their 1-based numbers."""
    fence = None
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.lstrip()
        if fence is None and (stripped.startswith("```") or stripped.startswith("~~~")):
            fence = stripped[:3]
            continue
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            continue
        yield number, line


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading keeps its text
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(path):
    """Every anchor a markdown file offers: its headings' (numbered when repeated) and <a name/id>."""
    seen = {}
    found = set()
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for _, line in prose_lines(text):
        m = HEADING.match(line)
        if m:
            base = slug(m.group(2))
            n = seen.get(base, 0)
            seen[base] = n + 1
            found.add(base if n == 0 else "%s-%d" % (base, n))
    found.update(re.findall(r"<a\s+(?:name|id)=\"([^\"]+)\"", text))
    return found


def markdown_files():
    return [os.path.join(SOURCE, "README.md")] + sorted(glob.glob(os.path.join(SOURCE, "docs", "*.md")))


def broken_links(path):
    """(line, target, why) for each relative link of `path` that does not resolve."""
    broken = []
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for number, line in prose_lines(text):
        line = re.sub(r"`[^`]*`", "", line)  # a link inside a code span is not a link
        for target in LINK.findall(line):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ...
                continue
            file_part, _, anchor = target.partition("#")
            resolved = os.path.normpath(os.path.join(os.path.dirname(path), file_part)) if file_part else path
            if not os.path.exists(resolved):
                broken.append((number, target, "no such file"))
            elif anchor and resolved.endswith(".md") and anchor not in anchors(resolved):
                broken.append((number, target, "no such heading in %s" % os.path.relpath(resolved, SOURCE)))
    return broken


def help_text(*args):
    run = subprocess.run([BIN, *args, "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=60)
    return run.stdout


def commands():
    """The commands `ftstress --help` lists."""
    names = []
    in_commands = False
    for line in help_text().split("\n"):
        if line.strip() == "commands:":
            in_commands = True
        elif in_commands and line.startswith("  ") and line.strip():
            names.append(line.split()[0])
        elif in_commands and not line.strip():
            in_commands = False
    return names


def options(command):
    """The options `ftstress COMMAND --help` prints: the leading flags of each line of its options block."""
    found = []
    in_options = False
    for line in help_text(command).split("\n"):
        if line.strip() == "options:":
            in_options = True
        elif in_options and line.startswith(" ") and line.lstrip().startswith("-"):
            flags = re.split(r"\s{2,}", line.strip())[0]  # "-j, --jobs N" before the description
            found += [o for o in OPTION.findall(flags)]
        elif in_options and not line.strip():
            in_options = False
    return found


def command_section(text, command):
    """The text of the '## `ftstress COMMAND`' section of docs/running.md, or None."""
    m = re.search(r"^## `ftstress %s`\s*$(.*?)(?=^## |\Z)" % re.escape(command), text, re.M | re.S)
    return m.group(1) if m else None


class Docs(unittest.TestCase):
    def test_links_resolve(self):
        problems = []
        for path in markdown_files():
            for number, target, why in broken_links(path):
                problems.append("%s:%d: (%s): %s" % (os.path.relpath(path, SOURCE), number, target, why))
        self.assertEqual(problems, [], "broken links:\n" + "\n".join(problems))

    def test_checker_sees_a_broken_link(self):
        tmp = os.path.join(os.environ.get("TMPDIR", "/tmp"), "ftstress-test-docs-%d.md" % os.getpid())
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("# A title: `x`\n\n[ok](#a-title-x) [bad](#nope) [gone](missing.md) [web](https://example.org)\n"
                    "```\n[in code](missing-too.md)\n```\n")
        try:
            self.assertEqual([(3, t) for _, t, _ in broken_links(tmp)], [(3, "#nope"), (3, "missing.md")])
        finally:
            os.unlink(tmp)

    @unittest.skipUnless(BIN, "FTSTRESS_BIN is not set")
    def test_every_option_is_documented(self):
        with open(os.path.join(SOURCE, "docs", "running.md"), encoding="utf-8") as f:
            running = f.read()
        names = commands()
        self.assertIn("run", names)
        self.assertIn("doctor", names)
        undocumented = []
        for command in names:
            section = command_section(running, command)
            self.assertIsNotNone(section, "docs/running.md has no section '## `ftstress %s`'" % command)
            opts = options(command)
            if command == "run":
                self.assertIn("--rounds", opts, "the --help parser found no options of run")
            for opt in opts:
                if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(opt), section):
                    undocumented.append("%s %s" % (command, opt))
        self.assertEqual(undocumented, [], "options --help prints that their command's section of docs/running.md does not mention:\n"
                         + "\n".join(undocumented))


if __name__ == "__main__":
    unittest.main(verbosity=2)
