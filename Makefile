# SkillCert developer entry points.
#
#   make run    install everything and start the web server + task worker (Ctrl-C stops both)
#   make test   install dev dependencies and run every check the CI runs
#   make lint   ruff format --check, ruff check, mypy
#   make fmt    ruff format, ruff check --fix
#   make clean  remove var/ and tool caches (keeps .venv)
#
# Needs only python3 and make: if uv is not on PATH it is installed from the Python
# Package Index into var/bootstrap/ and used from there (see BOOTSTRAP_UV_PY below).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
BOOTSTRAP_DIR := $(CURDIR)/var/bootstrap
BOOTSTRAP_UV := $(BOOTSTRAP_DIR)/bin/uv

# uv: `make UV=/path/to/uv` wins, then uv on PATH, then the private bootstrap copy.
ifeq ($(origin UV),undefined)
UV := $(or $(shell command -v uv 2>/dev/null),$(BOOTSTRAP_UV))
endif

# Always install exactly what uv.lock says, and never rewrite the lock while running.
UV_RUN := $(UV) run --frozen
MANAGE := $(UV_RUN) python manage.py

# The independent verifier of credentials (node; its packages come from package-lock.json).
VC_VERIFIER := tests/certificates/vc_verifier

# Extra arguments for pytest, e.g. make test PYTEST_ARGS="-k audit -x".
PYTEST_ARGS ?=

.PHONY: help run test lint fmt clean sync

help:
	@echo "make run    install everything and start SkillCert at http://127.0.0.1:8000/ (Ctrl-C stops)"
	@echo "make test   install dev dependencies and run format/lint/type/migration/deploy checks + pytest"
	@echo "make lint   ruff format --check, ruff check, mypy"
	@echo "make fmt    ruff format and ruff check --fix"
	@echo "make clean  remove var/ (database, data key, bootstrap uv) and caches; keeps .venv"

run: $(UV)
	UV="$(UV)" scripts/run.sh

sync: $(UV)
	$(UV) sync --frozen

test: sync
	@echo "==> ruff format --check"
	$(UV_RUN) ruff format --check .
	@echo "==> ruff check"
	$(UV_RUN) ruff check .
	@echo "==> mypy"
	DEBUG=true $(UV_RUN) mypy
	@echo "==> makemigrations --check"
	mkdir -p var
	DEBUG=true $(MANAGE) makemigrations --check --dry-run
	@echo "==> check --deploy (production-like settings)"
	DEBUG=false \
	SECRET_KEY="$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	SECURE_HTTPS=true \
	SKILLCERT_DATA_KEY="$$($(PYTHON) -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')" \
	ALLOWED_HOSTS=skillcert.example \
	SITE_URL=https://skillcert.example \
	TASKS_BACKEND=db \
		$(MANAGE) check --deploy --fail-level WARNING
	@echo "==> credential verifier packages (npm ci in $(VC_VERIFIER))"
	if ! command -v npm >/dev/null 2>&1; then \
		echo "npm not found: the independent credential verifier test will skip"; \
	elif [[ $(VC_VERIFIER)/node_modules/.package-lock.json -nt $(VC_VERIFIER)/package-lock.json ]]; then \
		echo "up to date"; \
	else \
		npm ci --prefix $(VC_VERIFIER) --no-audit --no-fund; \
	fi
	@echo "==> pytest"
	$(UV_RUN) pytest $(PYTEST_ARGS)

lint: sync
	$(UV_RUN) ruff format --check .
	$(UV_RUN) ruff check .
	DEBUG=true $(UV_RUN) mypy

fmt: sync
	$(UV_RUN) ruff format .
	$(UV_RUN) ruff check --fix .

clean:
	rm -rf var .mypy_cache .ruff_cache .pytest_cache test-results
	find . -path ./.venv -prune -o -path ./.git -prune -o -type d -name __pycache__ -print0 \
		| xargs -0 -r rm -rf

# --- uv bootstrap ------------------------------------------------------------------------
# Only used when uv is not on PATH. First choice: pip (which honours the user's pip
# configuration, e.g. a mirror) installing into a private --target directory, which needs
# neither a virtualenv nor ~/.local/bin on PATH and is not refused on "externally managed"
# system Pythons. Without pip (a bare Debian python3), download the uv wheel from the
# package index's simple API (the one uv.lock names) with the standard library, check its sha256 and unpack the
# binary. Set UV_BOOTSTRAP_INDEX_URL (or PIP_INDEX_URL) to use a mirror.

$(BOOTSTRAP_UV):
	@echo "==> uv not found on PATH; installing it into $(BOOTSTRAP_DIR)"
	$(PYTHON) -c "$$BOOTSTRAP_UV_PY" "$(BOOTSTRAP_DIR)"
	$@ --version

define BOOTSTRAP_UV_PY
import hashlib, html.parser, io, os, platform, re, shutil, subprocess, sys, urllib.parse, urllib.request, zipfile

dest = os.path.abspath(sys.argv[1])
target = os.path.join(dest, "bin", "uv")
os.makedirs(os.path.dirname(target), exist_ok=True)

def done(source):
    os.chmod(target, 0o755)
    print("uv installed at " + target + " (" + source + ")")
    sys.exit(0)

has_pip = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True).returncode == 0
if has_pip:
    pip_dir = os.path.join(dest, "pip")
    shutil.rmtree(pip_dir, ignore_errors=True)
    cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-warn-script-location", "--quiet", "--target", pip_dir, "uv"]
    if subprocess.run(cmd).returncode == 0 and os.path.isfile(os.path.join(pip_dir, "bin", "uv")):
        shutil.copy2(os.path.join(pip_dir, "bin", "uv"), target)
        done("pip")
    print("pip could not install uv; downloading the wheel directly", file=sys.stderr)

def locked_index():
    # The index uv.lock was resolved against (its first `registry = "..."` entry).
    with open("uv.lock", encoding="utf-8") as lock:
        found = re.search(r'registry = "([^"]+)"', lock.read())
    return found.group(1) if found else ""

index = (os.environ.get("UV_BOOTSTRAP_INDEX_URL") or os.environ.get("PIP_INDEX_URL") or locked_index()).rstrip("/")
if not index:
    sys.exit("no package index known: set UV_BOOTSTRAP_INDEX_URL")
page_url = index + "/uv/"

class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []
    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.extend(v for k, v in attrs if k == "href" and v)

request = urllib.request.Request(page_url, headers={"Accept": "text/html", "User-Agent": "skillcert-bootstrap"})
with urllib.request.urlopen(request, timeout=60) as response:
    parser = Links()
    parser.feed(response.read().decode("utf-8", "replace"))

machine = platform.machine().lower()
machine = {"amd64": "x86_64", "arm64": "aarch64" if sys.platform.startswith("linux") else "arm64"}.get(machine, machine)
libc, libc_version = platform.libc_ver()

def glibc_needed(tag):
    m = re.match(r"manylinux_(\d+)_(\d+)_", tag)
    if m:
        return (int(m.group(1)), int(m.group(2)))
    legacy = {"manylinux2014_": (2, 17), "manylinux2010_": (2, 12), "manylinux1_": (2, 5)}
    return next((v for k, v in legacy.items() if tag.startswith(k)), None)

def wanted(tags):
    for tag in tags.split("."):
        if sys.platform.startswith("linux"):
            if not tag.endswith("_" + machine):
                continue
            if libc == "glibc":
                needed = glibc_needed(tag)
                if needed and libc_version and tuple(map(int, libc_version.split(".")[:2])) >= needed:
                    return True
            elif tag.startswith("musllinux_"):
                return True
        elif sys.platform == "darwin" and tag.startswith("macosx_") and tag.endswith("_" + machine):
            return True
    return False

candidates = []
for href in parser.hrefs:
    url = urllib.parse.urljoin(page_url, href)
    name = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
    m = re.fullmatch(r"uv-(\d+(?:\.\d+)*)-py3-none-(.+)\.whl", name)
    if m and wanted(m.group(2)):
        candidates.append((tuple(int(p) for p in m.group(1).split(".")), url, name))
if not candidates:
    sys.exit("no uv wheel for " + sys.platform + "/" + machine + " at " + page_url)
version, url, name = max(candidates)
expected = urllib.parse.parse_qs(urllib.parse.urlsplit(url).fragment).get("sha256", [""])[0]
if not expected:
    sys.exit("the index gave no sha256 for " + name + "; refusing to install it unchecked")
print("downloading " + name)
with urllib.request.urlopen(urllib.request.Request(url.split("#")[0], headers={"User-Agent": "skillcert-bootstrap"}), timeout=300) as response:
    data = response.read()
if hashlib.sha256(data).hexdigest() != expected:
    sys.exit("sha256 mismatch for " + name)
with zipfile.ZipFile(io.BytesIO(data)) as wheel:
    member = next(n for n in wheel.namelist() if re.fullmatch(r"uv-[^/]+\.data/scripts/uv", n))
    with wheel.open(member) as src, open(target, "wb") as out:
        shutil.copyfileobj(src, out)
done(name)
endef
export BOOTSTRAP_UV_PY
