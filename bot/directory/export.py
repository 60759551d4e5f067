"""Stored services back to ORUK 3.0 JSON (a list of full services), so that a re-import gives the same services.

Types and audiences are written as attributes in this project's own taxonomies and how to
refer as ``application_process`` (an HSDS field the UK profile leaves out); eligibility as
``eligibility_description``; the address as a location whose name is the whole line.
"""

from __future__ import annotations

from bot.directory.schema import Service
from bot.directory.taxonomy import AUDIENCE_TAXONOMY, TYPE_TAXONOMY, load_taxonomy
from bot.directory.template import slug


def oruk_services(services: list[Service]) -> list[dict]:
    """One ORUK full service per service id, listing every area it serves (``services`` has one per area)."""
    merged: dict[str, tuple[Service, list[str]]] = {}
    for service in services:
        merged.setdefault(service.id, (service, []))[1].append(service.area)
    return [oruk_service(service, areas) for service, areas in merged.values()]


def oruk_service(s: Service, areas: list[str]) -> dict:
    taxonomy = load_taxonomy()
    data: dict = {"id": s.id, "name": s.name, "description": s.description, "url": s.website, "email": s.email,
                  "status": "active", "minimum_age": s.min_age, "maximum_age": s.max_age,
                  "eligibility_description": s.eligibility, "fees": s.fees,
                  "last_modified": s.last_modified.isoformat() if s.last_modified else None,
                  "assured_date": s.assured_date.isoformat() if s.assured_date else None}
    if s.how_to_refer:
        data["application_process"] = s.how_to_refer
    if s.organisation:
        data["organization"] = {"id": s.organisation_id or slug(s.organisation), "name": s.organisation}
    elif s.organisation_id:
        data["organization_id"] = s.organisation_id
    data["service_areas"] = [{"id": f"{s.id}:{slug(a)}", "name": a} for a in areas]
    if s.phone:
        data["contacts"] = [{"id": f"{s.id}:contact", "phones": [{"id": f"{s.id}:phone", "number": s.phone}]}]
    if s.opening_times:
        data["schedules"] = [{"id": f"{s.id}:schedule", "description": s.opening_times}]
    if s.address:
        data["service_at_locations"] = [{"id": f"{s.id}:at", "location": {
            "id": f"{s.id}:location", "location_type": "physical", "name": s.address}}]
    if s.languages:
        data["languages"] = [{"id": f"{s.id}:language:{i}", "name": name} for i, name in enumerate(s.languages)]
    terms = [(TYPE_TAXONOMY, t, taxonomy.label(t)) for t in s.types if t in taxonomy.types]
    terms += [(AUDIENCE_TAXONOMY, a, taxonomy.audience_label(a)) for a in s.audiences if a in taxonomy.audiences]
    data["attributes"] = [
        {"id": f"{s.id}:{code}", "link_type": "service", "taxonomy_term": {
            "id": f"{scheme}:{code}", "name": label, "description": label, "taxonomy": scheme, "term": code}}
        for scheme, code, label in terms
    ]
    return {k: v for k, v in data.items() if v not in (None, "")}
