"""The checks file of a guest script: one line per check, "VERDICT<TAB>name" or
"VERDICT<TAB>name<TAB>why" (VERDICT: PASS, FAIL, XPASS, XFAIL); e2e/run.sh counts them and
e2e/report.py reads them. Bash scripts write the same lines (guest/common.sh, pass/fail)."""


def line(verdict, name, why=""):
    return f"{verdict}\t{name}\t{why}\n" if why else f"{verdict}\t{name}\n"


def append(path, verdict, name, why=""):
    with open(path, "a") as f:
        f.write(line(verdict, name, why))
