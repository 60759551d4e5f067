"""The details of a ``bot directory import`` report: services left out, fields and terms not used, and
the types and audiences worked out for each service."""

from __future__ import annotations

import click

SHOW_SERVICES = 50  # list every service's types and audiences up to this many (all with --verbose)
SHOW_ITEMS = 20


def echo_report_details(report, verbose: bool = False) -> None:
    if report.left_out:
        click.echo(f"Left out, not active: {services(len(report.left_out))}:")
        for where, service_id, status in report.left_out[:SHOW_ITEMS]:
            click.echo(f"    {service_id} ({status}; {where})")
        _more(len(report.left_out))
    not_kept = report.not_kept()
    if not_kept:
        click.echo("Not kept (the directory does not store these fields): "
                   + ", ".join(f"{name} ({services(count)})" for name, count in not_kept.items()))
    unmapped = report.unmapped_terms()
    if unmapped:
        click.echo("Taxonomy terms that map to no service type: "
                   + ", ".join(f"{term!r} ({services(count)})" for term, count in list(unmapped.items())[:SHOW_ITEMS]))
        _more(len(unmapped))
    _echo_inferred(report.inferred, verbose)


def _echo_inferred(inferred, verbose: bool) -> None:
    if not inferred:
        return
    shown = inferred if verbose or len(inferred) <= SHOW_SERVICES else inferred[:SHOW_ITEMS]
    click.echo("Types and who each service is for (in brackets: from the file, keywords, type, eligibility, "
               "description or ages):")
    for where, service, how in shown:
        types = ", ".join(service.types) or "none"
        audiences = ", ".join(service.audiences) or "not stated"
        click.echo(f"    {service.id} ({where}): types {types} [{how.types_from or '-'}]; "
                   f"for {audiences} [{how.audiences_from or '-'}]")
    if len(shown) < len(inferred):
        keywords = sum(1 for _, _, how in inferred if how.types_from == "keywords")
        unstated = sum(1 for _, s, _ in inferred if not s.audiences)
        click.echo(f"    ... and {len(inferred) - len(shown)} more (--verbose lists them all): "
                   f"{keywords} typed from keywords, {unstated} with who they are for not stated")


def services(count: int) -> str:
    """"1 service", "2 services"."""
    return f"{count} service" if count == 1 else f"{count} services"


def _more(total: int) -> None:
    if total > SHOW_ITEMS:
        click.echo(f"    ... and {total - SHOW_ITEMS} more")
