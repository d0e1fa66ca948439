"""`northstar pack`: write a pack as PPTX, PDF or HTML (from a template now, or a stored pack)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from northstar.core.errors import ApplicationError
from northstar.org.models import ProductLine
from northstar.rendering.spec import Document
from northstar.reports import packs, render, services
from northstar.reports.models import PackTemplate


class Command(BaseCommand):
    help = (
        "Write a pack to a file: --template board|executive|line_review builds one from the data now; "
        "--pack ID writes a stored pack (an issued pack's file exactly as issued)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--template", choices=PackTemplate.values)
        parser.add_argument("--pack", type=int, help="A stored pack's id instead of a template.")
        parser.add_argument("--format", dest="fmt", choices=render.FORMATS, default="pptx")
        parser.add_argument("--output", required=True, help="File to write ('-' for standard output).")
        parser.add_argument("--cut-off", dest="cut_off", help="Last day of data, YYYY-MM-DD (default today).")
        parser.add_argument("--line", help="The product line of a line review (name or id).")

    def handle(self, *args: object, **options: object) -> None:
        fmt = str(options["fmt"])
        try:
            if options.get("pack"):
                data = services.pack_file(services.get_pack(int(options["pack"])), fmt)  # type: ignore[call-overload]
            elif options.get("template"):
                data = render.render(self._document(options), fmt, template=services.slide_template_path())
            else:
                raise CommandError("Give --template board|executive|line_review, or --pack ID.")
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        output = str(options["output"])
        if output == "-":
            sys.stdout.buffer.write(data)
            return
        Path(output).write_bytes(data)
        self.stderr.write(f"Wrote {output} ({len(data):,} bytes, {fmt}).")

    def _document(self, options: dict) -> Document:
        raw = options.get("cut_off")
        try:
            cut_off = date.fromisoformat(str(raw)) if raw else timezone.localdate()
        except ValueError:
            raise CommandError(f"--cut-off {raw!r} is not a date like 2026-06-30.") from None
        line = None
        if options.get("line"):
            wanted = str(options["line"])
            line = ProductLine.objects.filter(name=wanted).first() or (
                ProductLine.objects.filter(pk=int(wanted)).first() if wanted.isdigit() else None
            )
            if line is None:
                raise CommandError(f"No product line called {wanted!r}.")
        if options["template"] == PackTemplate.LINE_REVIEW and line is None:
            raise CommandError("A line review needs --line NAME.")
        return packs.template_document(template=str(options["template"]), cut_off=cut_off, line=line)
