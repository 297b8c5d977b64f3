"""Shared fixtures: a small world with every role of the permission matrix, the
Hậu Giang demo loaded once per session (``demo_db``), hypothesis profiles and the
``fuzz`` marker."""

import copy
import dataclasses
import fcntl
import hashlib
import io
import os
import sqlite3
import time
from dataclasses import dataclass
from importlib import import_module

import pytest
from django.db import DataError, connection, models, transaction
from django.db.models.signals import pre_save
from django.utils import translation
from hypothesis import HealthCheck, settings

from clusters.models import MemberRole, Role
from tests.clusters.factories import (
    AuthorityFactory,
    ClusterFactory,
    MembershipFactory,
    TermFactory,
    UnitFactory,
    officer,
    staff,
)


def _refuse_text_longer_than_its_column(sender, instance, **kwargs):
    """SQLite stores any length in a `varchar(n)`; PostgreSQL refuses more than
    n characters. Saves on SQLite refuse them too, so that a form that lets
    through more than its model's column fails the suite (the fuzzing runs on
    SQLite only), not a user on PostgreSQL."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.CharField) and field.max_length:
            value = getattr(instance, field.attname)
            if isinstance(value, str) and len(value) > field.max_length:
                raise DataError(
                    f"value too long for type character varying({field.max_length}):"
                    f" {sender.__name__}.{field.name}"
                )


if connection.vendor == "sqlite":
    pre_save.connect(_refuse_text_longer_than_its_column)


@dataclass
class World:
    authority: object
    cluster: object
    term: object
    unit_a: object
    unit_chair: object
    unit_deputy: object
    unit_other: object
    membership_a: object
    users: dict


ROLES = [
    "anonymous",
    "officer",
    "other_officer",
    "chair_officer",
    "staff",
    "admin",
    "other_admin",
]


# Test modules (names) where tests ask for the world and none commits or uses
# the demo (filled at collection, `_share_the_world`): there the world is built
# once per module.
_WORLD_MODULES: set[str] = set()


@pytest.fixture(scope="module")
def _module_world(request, django_db_setup, django_db_blocker):
    """The world built once for a module of `_WORLD_MODULES`, inside a
    transaction rolled back at the module's end (each test runs in a savepoint
    inside it); None elsewhere, where a test that commits or uses the demo
    would be blocked by that open transaction."""
    if request.module.__name__ not in _WORLD_MODULES:
        yield None
        return
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(_module_world, db):
    """Authority with a cluster whose 2024 term has unit A (member), a chair and a
    deputy; a second cluster holding another unit; and a second authority.

    Fresh copies of the module's world objects for each test (building it costs
    about 55 ms, copying it 8): what a test writes is rolled back with its
    savepoint."""
    if _module_world is None:
        return build_world()
    return copy_world(_module_world)


def copy_world(world):
    """Fresh copies of `world`'s objects (what a test then writes leaves the
    module's world as it was)."""
    return copy.deepcopy(dataclasses.replace(world))


def build_world():
    """The objects of the ``world`` fixture (for fixtures that build it once per
    module, like the permission matrix's)."""
    authority = AuthorityFactory(name="UBND tỉnh Hậu Giang Thử")
    cluster = ClusterFactory(authority=authority, name="Cụm A")
    term = TermFactory(cluster=cluster, year=2024)
    unit_a = UnitFactory(authority=authority, name="Huyện A")
    unit_chair = UnitFactory(authority=authority, name="Huyện Chủ trì")
    unit_deputy = UnitFactory(authority=authority, name="Huyện Phó")
    membership_a = MembershipFactory(term=term, unit=unit_a)
    MembershipFactory(term=term, unit=unit_chair, role=MemberRole.CHAIR)
    MembershipFactory(term=term, unit=unit_deputy, role=MemberRole.DEPUTY)
    other_cluster = ClusterFactory(authority=authority, name="Cụm B")
    other_term = TermFactory(cluster=other_cluster, year=2024)
    unit_other = UnitFactory(authority=authority, name="Huyện Khác")
    MembershipFactory(term=other_term, unit=unit_other, role=MemberRole.CHAIR)
    other_authority = AuthorityFactory(name="UBND tỉnh Khác")
    users = {
        "anonymous": None,
        "officer": officer(unit_a, username="officer_a"),
        "other_officer": officer(unit_other, username="officer_other"),
        "chair_officer": officer(unit_chair, username="officer_chair"),
        "staff": staff(authority, username="staff"),
        "admin": staff(authority, role=Role.ADMIN, username="admin"),
        "other_admin": staff(other_authority, role=Role.ADMIN, username="other_admin"),
    }
    return World(
        authority=authority,
        cluster=cluster,
        term=term,
        unit_a=unit_a,
        unit_chair=unit_chair,
        unit_deputy=unit_deputy,
        unit_other=unit_other,
        membership_a=membership_a,
        users=users,
    )


def sign_in(client, user):
    """Give `client` the session the login form leaves for `user`: its auth keys
    and the session's start and renewal (`core.middleware`'s timeouts), without
    the login signals: the security log, django-axes and ``last_login`` have
    their own tests through the login form, and here they were a third of a
    view test's time (``Client.force_login`` sends them)."""
    from django.conf import settings as django_settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        load_backend,
    )

    from core.middleware import SESSION_RENEWED_KEY, SESSION_STARTED_KEY

    backend = next(
        path
        for path in django_settings.AUTHENTICATION_BACKENDS
        if hasattr(load_backend(path), "get_user")
    )
    session = import_module(django_settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SESSION_STARTED_KEY] = int(time.time())
    session[SESSION_RENEWED_KEY] = time.time()
    session.save()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = session.session_key


@pytest.fixture
def english():
    """Messages in English, the source language the assertions read; a module
    asks for it with ``pytestmark = pytest.mark.usefixtures("english")``."""
    with translation.override("en"):
        yield


@pytest.fixture
def english_pages(english):
    """`english`, and pages in English too: `login` gives the client the
    language switch's cookie."""


@pytest.fixture
def login(client, request, settings):
    """Sign the test client in as a user (`sign_in`), or out for None; with
    `english_pages`, the client asks for pages in English."""

    def _login(user):
        client.cookies.clear()
        if user is not None:
            sign_in(client, user)
        if "english_pages" in request.fixturenames:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return _login


# --- Hypothesis profiles ---------------------------------------------------
# HYPOTHESIS_PROFILE chooses one: "ci" (the default, `make test` and CI: 50
# examples per form) or "fuzz" (`make fuzz`: 200 examples per form).
# Explicit `max_examples` in a test win over the profile; `fuzz_form` caps its
# `examples` argument at the profile's number (tests/helpers.py).
_QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
settings.register_profile(
    "ci", max_examples=50, deadline=None, suppress_health_check=_QUIET
)
settings.register_profile(
    "fuzz", max_examples=200, deadline=None, suppress_health_check=_QUIET
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """Tests named ``*_hostile_input*`` fuzz a form (they call
    ``tests.helpers.fuzz_form``): mark them ``fuzz`` so that `make fuzz` and the
    PostgreSQL selection of .ci/run can find them. Tests that cannot touch the
    database are marked ``nodb``: .ci/run runs them once, on SQLite. Tests that
    use the demo (``demo_db``) are marked ``demo``: on PostgreSQL switching
    to the demo means loading it again, so .ci/run leaves them to SQLite (the
    restore drill and the fault test load the demo on PostgreSQL). Browser
    tests spread over the workers: each worker starts its own Chromium, live
    server and demo; they are rerun once when they fail."""
    _share_the_world(items)
    for item in items:
        if "hostile_input" in item.name:
            item.add_marker(pytest.mark.fuzz)
        if "demo_db" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.demo)
        if not _uses_database(item):
            item.add_marker(pytest.mark.nodb)
        if item.get_closest_marker("browser"):
            # A browser test waits on a real Chromium on a shared 2-core
            # machine: it gets one more try (pytest-rerunfailures), and every
            # rerun is reported ("R" and "1 rerun" in the summary).
            item.add_marker(pytest.mark.flaky(reruns=1))
    result = yield
    # The longest tests first (after pytest-django's own ordering): pytest-xdist
    # hands tests out in this order, so the long ones start early instead of
    # leaving one core idle at the end.
    items.sort(key=_start_order)
    if getattr(config.option, "loadgroup", False):
        _group_node_ids(items)
    return result


def _share_the_world(items):
    """Fill `_WORLD_MODULES`: the modules where some database test asks for the
    module's world (``world``, or a fixture built on ``_module_world`` such as
    the permission matrix's ``row``) and none commits or uses the demo. A test
    there that does not ask for the world may see its rows."""
    shared, other = set(), set()
    for item in items:
        module = getattr(item, "module", None)
        if module is None or not _uses_database(item):
            continue
        names = getattr(item, "fixturenames", ())
        if "demo_db" in names or _commits(item):
            other.add(module.__name__)
        elif "_module_world" in names:
            shared.add(module.__name__)
    _WORLD_MODULES.update(shared - other)


def _uses_database(item):
    """Whether a test may touch the database: a django_db mark or a fixture
    that gives access (directly; fixtures that ask for `db` themselves, like
    `world`, are in `fixturenames` with it)."""
    return bool(
        item.get_closest_marker("django_db")
        or {"db", "transactional_db", "django_db_setup", "live_server"}
        & set(getattr(item, "fixturenames", ()))
    )


# Prefixes of node ids that hold the longest tests, longest first; the last
# ones are the longest of .ci/run's PostgreSQL pass, which has none of the first.
LONG_FIRST = (
    "tests/browser/test_whole_year.py",
    "tests/browser/",
    "tests/test_crawl.py",
    "tests/test_document_layout.py",
    "tests/pledges/test_generated_years.py",
    "tests/test_finality_matrix.py",
    "tests/awards/test_selectors.py::test_tally_properties",
    "tests/awards/test_nomination.py::test_nomination_invariants",
    "tests/awards/test_tiers.py::test_tiers_for_random_ballots",
)


def _start_order(item):
    for rank, prefix in enumerate(LONG_FIRST):
        if getattr(item, "nodeid", "").startswith(prefix):
            return rank
    return len(LONG_FIRST)


def _group_node_ids(items):
    """pytest-xdist's loadgroup sends a test to its group's worker by the
    ``@group`` suffix it writes into ``item._nodeid``; pytest 9.2 reads node ids
    from ``item._id`` instead, so the suffix is lost and groups are scattered
    (pytest-dev/pytest-xdist#1386). Write the same suffix where pytest reads it;
    nothing changes where xdist's own suffix took effect."""
    from _pytest.nodeid import NodeId

    for item in items:
        names = {
            str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")
        }
        suffix = f"@{'_'.join(sorted(names))}"
        if names and not item.nodeid.endswith(suffix) and hasattr(item, "_id"):
            item._id = NodeId.parse(item.nodeid + suffix)


# --- The Hậu Giang demo, loaded once per session ----------------------------


class _DemoDatabase:
    """Switches the test database between its state before the demo was
    loaded ("pristine") and the loaded demo, so that only tests asking for
    ``demo_db`` see the demo.

    On SQLite both states are copies of the whole database taken with SQLite's
    backup API, and a switch copies one back (milliseconds). On other
    databases loading is ``load_demo`` again and unloading is a flush followed
    by the serialized pristine contents (what Django's serialized_rollback
    does)."""

    def __init__(self):
        self.built = False
        self.state = "pristine"  # "pristine", "demo" or "dirty"
        self.pristine = None
        self.demo = None

    @staticmethod
    def _is_sqlite(connection):
        return connection.vendor == "sqlite"

    @staticmethod
    def _copy(connection, source=None):
        """Copy the live database into a new in-memory one (source None) or
        `source` into the live database."""
        connection.ensure_connection()
        live = connection.connection
        if source is None:
            copy = sqlite3.connect(":memory:", check_same_thread=False)
            live.backup(copy)
            return copy
        source.backup(live)
        return None

    def build(self, shared=None):
        """Load the demo; `shared`: a directory the xdist workers of the run
        share, where the first one leaves the built demo for the others."""
        from django.core.management import call_command
        from django.db import connection

        if self._is_sqlite(connection):
            self.pristine = self._copy(connection)
            _SharedDemo(self.pristine, shared).load_or_build(connection)
            self.demo = self._copy(connection)
        else:
            self.pristine = connection.creation.serialize_db_to_string()
            call_command("load_demo", stdout=io.StringIO())
        self.built = True
        self.state = "demo"

    def load(self):
        from django.core.management import call_command
        from django.db import connection

        if self._is_sqlite(connection):
            self._copy(connection, self.demo)
        elif self.state != "demo":
            self._flush_to_pristine(connection)
            call_command("load_demo", stdout=io.StringIO())
        self.state = "demo"

    def unload(self):
        from django.db import connection

        if self._is_sqlite(connection):
            self._copy(connection, self.pristine)
        else:
            self._flush_to_pristine(connection)
        self.state = "pristine"

    def _flush_to_pristine(self, connection):
        from django.core.management import call_command

        call_command(
            "flush",
            interactive=False,
            inhibit_post_migrate=True,
            database=connection.alias,
            verbosity=0,
        )
        connection.creation.deserialize_db_from_string(self.pristine)


class _SharedDemo:
    """The demo built once per run and shared by the xdist workers (SQLite).

    The first worker to need it runs ``load_demo`` and leaves the database
    (SQLite's backup API) and the files it stored (the test settings keep
    uploads in memory) in the run's temporary directory, which the workers
    share (`shared`, pytest's base temporary directory of the run); the others
    copy both in, which takes milliseconds instead of a load of about 15 s. A
    worker whose database before the demo differs from the builder's (a digest
    of its dump) builds its own. Without a shared directory the demo is simply
    loaded."""

    def __init__(self, pristine, shared):
        digest = hashlib.sha256("\n".join(pristine.iterdump()).encode())
        self.base = shared / f"demo-{digest.hexdigest()[:16]}" if shared else None

    def load_or_build(self, connection):
        from django.core.management import call_command

        if self.base is None:
            call_command("load_demo", stdout=io.StringIO())
            return
        lock = self.base.with_suffix(".lock")
        with open(lock, "w") as held:
            fcntl.flock(held, fcntl.LOCK_EX)  # released when the file closes
            database = self.base.with_suffix(".sqlite3")
            if database.exists():
                self._load(connection, database)
                return
            before = set(_stored_files())
            call_command("load_demo", stdout=io.StringIO())
            self._save(connection, database, before)

    def _save(self, connection, database, before):
        from django.core.files.storage import default_storage

        files = self.base.with_suffix(".files")
        for name in sorted(set(_stored_files()) - before):
            target = files / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with default_storage.open(name) as stored:
                target.write_bytes(stored.read())
        partial = database.with_suffix(".partial")
        with sqlite3.connect(partial) as copy:
            connection.connection.backup(copy)
        copy.close()
        partial.rename(database)

    def _load(self, connection, database):
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage

        files = self.base.with_suffix(".files")
        for path in sorted(p for p in files.rglob("*") if p.is_file()):
            name = path.relative_to(files).as_posix()
            if not default_storage.exists(name):
                saved = default_storage.save(name, ContentFile(path.read_bytes()))
                assert saved == name, (saved, name)
        source = sqlite3.connect(database)
        try:
            source.backup(connection.connection)
        finally:
            source.close()


def _stored_files(directory=""):
    """Every file name in the default storage, below `directory`."""
    from django.core.files.storage import default_storage

    directories, names = default_storage.listdir(directory)
    for name in names:
        yield f"{directory}/{name}" if directory else name
    for sub in directories:
        yield from _stored_files(f"{directory}/{sub}" if directory else sub)


_DEMO = _DemoDatabase()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """TEST_DB_TEMPLATE=<database>: on PostgreSQL, create each test database
    (one per xdist worker) as a copy of that already migrated database, so the
    migrations are applied once per CI run instead of once per worker (.ci/run;
    Django's ``migrate`` then finds nothing to apply)."""
    from django.conf import settings as django_settings

    template = os.environ.get("TEST_DB_TEMPLATE")
    database = django_settings.DATABASES["default"]
    if template and database["ENGINE"] == "django.db.backends.postgresql":
        database.setdefault("TEST", {})["TEMPLATE"] = template


@pytest.fixture(scope="session")
def demo_db(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """The Hậu Giang demo loaded once per session; tests must not change it, or
    must run inside a transaction that is rolled back.

    Request it together with ``db`` (or ``@pytest.mark.django_db``) for
    database access; every test that asks for it starts with the demo exactly
    as ``load_demo`` leaves it, and every test that does not ask for it starts
    without the demo (the switch is made before the test's own transaction
    begins, see ``pytest_runtest_setup`` below). Tests with
    ``transactional_db`` (browser tests) may change it: their changes are
    undone before the next test."""
    if not _DEMO.built:
        worker = hasattr(request.config, "workerinput")
        shared = tmp_path_factory.getbasetemp().parent if worker else None
        with django_db_blocker.unblock():
            _DEMO.build(shared)
    return _DEMO


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before the test's fixtures (hence before its transaction): give it the
    demo if it asks for ``demo_db``, take the demo away otherwise."""
    if not _DEMO.built:
        return  # the demo_db fixture builds it when first asked for
    from pytest_django.plugin import blocking_manager_key

    wants = "demo_db" in item.fixturenames
    if wants or _DEMO.state != "pristine":
        from django.db import connection

        if connection.in_atomic_block:
            raise RuntimeError(
                "demo_db cannot load or unload the demo inside an open transaction "
                "(a module- or class-scoped atomic block?)"
            )
        with item.config.stash[blocking_manager_key].unblock():
            if wants:
                _DEMO.load()
            else:
                _DEMO.unload()
    if wants and _commits(item):
        _DEMO.state = "dirty"  # committed changes, then a flush at teardown


def _commits(item):
    """Whether the test's writes are committed (and flushed afterwards)."""
    marker = item.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server"} & set(item.fixturenames)
        or (marker and marker.kwargs.get("transaction"))
    )
