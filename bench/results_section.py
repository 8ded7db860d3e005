"""One bench script's own section of bench/RESULTS.md, between its markers: replaced in place, or
appended when the file does not have it yet. Shared by the bench scripts that write a section."""
import os


def markers(script):
    """The begin and end markers of `script`'s section (a path such as bench/zygote.py)."""
    return "<!-- %s: begin -->" % script, "<!-- %s: end -->" % script


def write_section(out, script, lines):
    begin, end = markers(script)
    text = open(out).read() if os.path.exists(out) else "# Benchmark results\n"
    section = begin + "\n" + "\n".join(lines) + "\n" + end
    if begin in text and end in text:
        text = text[:text.index(begin)] + section + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    with open(out, "w") as f:
        f.write(text)
