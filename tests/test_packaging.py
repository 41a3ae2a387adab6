"""What a wheel of the suite holds: every file the code reads at run time (templates, static files, migrations)."""
import configparser
import glob
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def packaged():
    """The files setup.cfg's package_data puts in a wheel, expanded as setuptools does (globs per package)."""
    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(ROOT, "setup.cfg"))
    found = set()
    for package, patterns in cfg["options.package_data"].items():
        base = os.path.join(ROOT, *package.split("."))
        for pattern in patterns.replace("\n", ",").split(","):
            if pattern.strip():
                found.update(os.path.relpath(path, ROOT) for path in glob.glob(os.path.join(base, pattern.strip()))
                             if os.path.isfile(path))
    return found


def test_every_file_under_suite_that_is_not_python_goes_into_the_wheel():
    tracked = subprocess.run(["git", "ls-files", "suite"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    data = {path for path in tracked if not path.endswith(".py")} | {
        path for path in tracked if path.startswith("suite/migrations/")}
    assert data, "git ls-files found nothing"
    assert sorted(data - packaged()) == []
