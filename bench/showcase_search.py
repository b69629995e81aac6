#!/usr/bin/env python3
"""The showcase's Chinese full-text search (``showcase/search.py``: character bigrams in an index table)
beside the baseline a search without an index makes, a ``LIKE '%word%'`` scan of the same rows, on
SQLite and PostgreSQL (docs/performance.md, "The showcase's search").

    .venv/bin/python bench/showcase_search.py                  # PostgreSQL (a throwaway server)
    .venv/bin/python bench/showcase_search.py --db sqlite      # SQLite (var/bench-showcase.sqlite3)
    .venv/bin/python bench/showcase_search.py --stories 500    # a smaller library

Writes ``--stories`` stories of about 800 characters through ``showcase.services.record_stories`` (one
batch, as an import or the demo writes them; the index is written with them), times the index build alone
(``services.reindex``), then the search for a two-character word planted inside 1 % of the texts and one
inside 20 % against the scan — checked to find the same stories first — and rolls everything back.
"""

import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SQLITE_URL = f"sqlite:///{ROOT / 'var' / 'bench-showcase.sqlite3'}"

POOL = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而"
    "方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应"
    "开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命"
    "此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求"
    "老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光"
    "门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速"
)
WORDS = {"1%": ("温暖", 0.01), "20%": ("扎根", 0.20)}


def text_of(rng, length=800):
    return "".join(rng.choice(POOL) for _ in range(length))


def timed(runs, call):
    call()  # warm
    times = []
    for _n in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(stories, runs):
    from django.db import connection, transaction

    from redengine.core.services import Item
    from redengine.core.writes import SYSTEM
    from redengine.orgs.models import School
    from redengine.showcase import search
    from redengine.showcase.models import SearchTerm, Story
    from redengine.showcase.services import record_stories, reindex

    rng = random.Random(20240504)  # noqa: S311 (reproducible sample texts, not a secret)
    school = School.objects.order_by("code").first()
    with transaction.atomic():
        texts = []
        for _n in range(stories):
            text = text_of(rng)
            for word, share in WORDS.values():
                if rng.random() < share:
                    at = rng.randrange(50, len(text) - 2)
                    text = text[:at] + word + text[at:]
            texts.append(text)
        items = [Item({"school": school, "title": f"故事{n}", "text": t}) for n, t in enumerate(texts)]
        started = time.perf_counter()
        written = record_stories(items, by=SYSTEM)
        total = time.perf_counter() - started
        SearchTerm.objects.filter(kind="story").delete()
        started = time.perf_counter()
        reindex(Story, written)
        build = time.perf_counter() - started
        terms = SearchTerm.objects.count()
        print(
            f"{connection.vendor}: {stories:,} stories of ~800 characters; written through the service in "
            f"{total:.1f} s (the index included); index build alone {build:.1f} s, {terms:,} terms"
        )
        for label, (word, _share) in WORDS.items():
            expected = sorted(Story.objects.filter(text__contains=word).values_list("pk", flat=True))
            found = sorted(search.matching(Story.objects.all(), word).values_list("pk", flat=True))
            assert found == expected, (len(found), len(expected))
            indexed = timed(
                runs,
                lambda w=word: list(search.matching(Story.objects.all(), w).values_list("pk", flat=True)),
            )
            scanned = timed(
                runs, lambda w=word: list(Story.objects.filter(text__contains=w).values_list("pk", flat=True))
            )
            print(
                f"  “{word}” (in {label} of the texts, {len(found):,} found): bigram index "
                f"{indexed * 1000:.1f} ms, LIKE scan (baseline) {scanned * 1000:.1f} ms, "
                f"ratio {indexed / scanned:.2f} (median of {runs})"
            )
        transaction.set_rollback(True)


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--stories", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=20, help="timed runs of each search; the median is shown")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if args.db == "postgres" and not url.startswith(("postgres://", "postgresql://")):
        command = [sys.executable, str(ROOT / "scripts" / "with_postgres.py"), sys.executable, __file__]
        command += sys.argv[1:] if argv is None else argv
        raise SystemExit(subprocess.run(command, cwd=ROOT, check=False).returncode)
    if args.db == "sqlite" and not url.startswith("sqlite:"):
        os.environ["DATABASE_URL"] = SQLITE_URL
        (ROOT / "var").mkdir(exist_ok=True)
    os.environ["DEBUG"] = "0"  # no query log
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redengine.settings")
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not __import__("redengine.orgs.models", fromlist=["School"]).School.objects.exists():
        call_command("seed_demo", verbosity=0)
    measure(args.stories, args.runs)


if __name__ == "__main__":
    main()
