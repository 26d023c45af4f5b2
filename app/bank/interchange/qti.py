"""QTI 3.0 content packages: a zip with imsmanifest.xml and one qti-assessment-item per item.

Written: single best answer and multiple response as qti-choice-interaction, ranking as
qti-order-interaction; keys in qti-correct-response; response processing by the standard templates
(match_correct; map_response for multiple response, +1 per keyed and -1 per other choice, never below
0); each option's rationale as qti-feedback-inline inside its choice; scenario stages as a shared
qti-assessment-stimulus. KSS codes travel as LOM classification (purpose competency, source KSS)
in the manifest; tier, kind, difficulty and references as LOM keywords.

Read: single- and multiple-choice and order interactions from any QTI 3.0 package; anything else is
reported and skipped.
"""

import io
import posixpath
import zipfile
from xml.etree import ElementTree as ET

from defusedxml import ElementTree as SafeET

from app.bank.interchange import ExternalItem, InterchangeError

CP = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
QTI = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
LOM = "http://ltsc.ieee.org/xsd/LOM"
TEMPLATES = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/"
KEYWORD_PREFIX = "kss-accreditation:"
MAX_ARCHIVE_FILES = 5000
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_RATIO = 100

ET.register_namespace("", QTI)
ET.register_namespace("imsmd", LOM)


# Writing -------------------------------------------------------------------------------------

def export_package(items, scenarios) -> bytes:
    """A QTI 3.0 content package (zip bytes) of `items` (ItemSpec) with their scenario stimuli."""
    buffer = io.BytesIO()
    manifest = _manifest()
    resources = manifest.find(f"{{{CP}}}resources")
    stimuli = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in items:
            stimulus = None
            if item.scenario:
                stimulus = f"{item.scenario}--{item.stage}"
                if stimulus not in stimuli:
                    stimuli[stimulus] = f"stimuli/{stimulus}.xml"
                    archive.writestr(stimuli[stimulus], _xml(_stimulus(scenarios[item.scenario], item.stage, stimulus)))
                    _resource(resources, stimulus, "imsqti_stimulus_xmlv3p0", stimuli[stimulus])
            href = f"items/{item.id}.xml"
            archive.writestr(href, _xml(_item(item, stimulus, stimuli.get(stimulus))))
            resource = _resource(resources, item.id, "imsqti_item_xmlv3p0", href, dependency=stimulus)
            resource.insert(0, _item_metadata(item))
        archive.writestr("imsmanifest.xml", _xml(manifest, CP))
    return buffer.getvalue()


def _xml(element, default_namespace=QTI) -> bytes:
    ET.register_namespace("", default_namespace)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def _manifest():
    manifest = ET.Element(f"{{{CP}}}manifest", identifier="kss-accreditation-bank")
    metadata = ET.SubElement(manifest, f"{{{CP}}}metadata")
    ET.SubElement(metadata, f"{{{CP}}}schema").text = "QTI Package"
    ET.SubElement(metadata, f"{{{CP}}}schemaversion").text = "3.0.0"
    ET.SubElement(manifest, f"{{{CP}}}organizations")
    ET.SubElement(manifest, f"{{{CP}}}resources")
    return manifest


def _resource(resources, identifier, kind, href, dependency=None):
    resource = ET.SubElement(resources, f"{{{CP}}}resource", identifier=identifier, type=kind, href=href)
    ET.SubElement(resource, f"{{{CP}}}file", href=href)
    if dependency:
        ET.SubElement(resource, f"{{{CP}}}dependency", identifierref=dependency)
    return resource


def _item_metadata(item):
    metadata = ET.Element(f"{{{CP}}}metadata")
    lom = ET.SubElement(metadata, f"{{{LOM}}}lom")
    general = ET.SubElement(lom, f"{{{LOM}}}general")
    keywords = {"tier": item.tier, "kind": item.kind, "difficulty": item.difficulty, "type": item.type}
    if item.scenario:
        keywords.update(scenario=item.scenario, stage=item.stage)
    values = [f"{name}={value}" for name, value in keywords.items()] + [f"reference={ref}" for ref in item.references]
    for value in values:
        ET.SubElement(ET.SubElement(general, f"{{{LOM}}}keyword"), f"{{{LOM}}}string").text = KEYWORD_PREFIX + value
    classification = ET.SubElement(lom, f"{{{LOM}}}classification")
    purpose = ET.SubElement(classification, f"{{{LOM}}}purpose")
    ET.SubElement(purpose, f"{{{LOM}}}source").text = "LOMv1.0"
    ET.SubElement(purpose, f"{{{LOM}}}value").text = "competency"
    path = ET.SubElement(classification, f"{{{LOM}}}taxonPath")
    ET.SubElement(ET.SubElement(path, f"{{{LOM}}}source"), f"{{{LOM}}}string").text = "KSS"
    for code in [item.kss, *item.also_kss]:
        ET.SubElement(ET.SubElement(path, f"{{{LOM}}}taxon"), f"{{{LOM}}}id").text = code
    return metadata


def _stimulus(scenario, stage_id, identifier):
    stimulus = ET.Element(f"{{{QTI}}}qti-assessment-stimulus", identifier=identifier, title=scenario.title)
    stimulus.set("{http://www.w3.org/XML/1998/namespace}lang", "en-GB")
    body = ET.SubElement(stimulus, f"{{{QTI}}}qti-stimulus-body")
    for stage in scenario.stages:
        section = ET.SubElement(body, "section", {"data-stage": stage.id})
        ET.SubElement(section, "h3").text = stage.title
        for paragraph in _paragraphs(stage.text):
            ET.SubElement(section, "p").text = paragraph
        if stage.id == stage_id:
            break
    return stimulus


def _paragraphs(text):
    return [" ".join(part.split()) for part in text.split("\n\n") if part.strip()]


def _item(item, stimulus, stimulus_href):
    cardinality = {"single_best_answer": "single", "multiple_response": "multiple", "ranking": "ordered"}[item.type]
    root = ET.Element(f"{{{QTI}}}qti-assessment-item", {"identifier": item.id, "title": item.id, "adaptive": "false",
                                                          "time-dependent": "false"})
    root.set("{http://www.w3.org/XML/1998/namespace}lang", "en-GB")
    declaration = ET.SubElement(root, f"{{{QTI}}}qti-response-declaration", identifier="RESPONSE",
                                cardinality=cardinality, **{"base-type": "identifier"})
    correct = ET.SubElement(declaration, f"{{{QTI}}}qti-correct-response")
    for letter in item.key:
        ET.SubElement(correct, f"{{{QTI}}}qti-value").text = letter
    if item.type == "multiple_response":
        mapping = ET.SubElement(declaration, f"{{{QTI}}}qti-mapping", {"lower-bound": "0", "default-value": "-1"})
        for letter in item.key:
            ET.SubElement(mapping, f"{{{QTI}}}qti-map-entry", {"map-key": letter, "mapped-value": "1"})
    ET.SubElement(root, f"{{{QTI}}}qti-outcome-declaration", identifier="SCORE", cardinality="single", **{"base-type": "float"})
    if stimulus:
        ET.SubElement(root, f"{{{QTI}}}qti-assessment-stimulus-ref", identifier=stimulus,
                      href=posixpath.relpath(stimulus_href, "items"), title="Scenario")
    body = ET.SubElement(root, f"{{{QTI}}}qti-item-body")
    for paragraph in _paragraphs(item.stem):
        ET.SubElement(body, "p").text = paragraph
    _interaction(body, item)
    template = "map_response" if item.type == "multiple_response" else "match_correct"
    ET.SubElement(root, f"{{{QTI}}}qti-response-processing", template=f"{TEMPLATES}{template}.xml")
    return root


def _interaction(body, item):
    letters = [chr(ord("A") + n) for n in range(len(item.options))]
    if item.type == "ranking":
        interaction = ET.SubElement(body, f"{{{QTI}}}qti-order-interaction", {"response-identifier": "RESPONSE", "shuffle": "false"})
        choice_tag = "qti-simple-choice"
    else:
        count = "1" if item.type == "single_best_answer" else str(len(item.key))
        interaction = ET.SubElement(body, f"{{{QTI}}}qti-choice-interaction",
                                    {"response-identifier": "RESPONSE", "shuffle": "false", "max-choices": count, "min-choices": count})
        choice_tag = "qti-simple-choice"
    for letter, option in zip(letters, item.options, strict=True):
        choice = ET.SubElement(interaction, f"{{{QTI}}}{choice_tag}", identifier=letter)
        choice.text = option.text
        feedback = ET.SubElement(choice, f"{{{QTI}}}qti-feedback-inline",
                                 {"outcome-identifier": "FEEDBACK", "identifier": letter, "show-hide": "show"})
        feedback.text = option.rationale


# Reading -------------------------------------------------------------------------------------

def read_package(data: bytes) -> tuple[list[ExternalItem], list[str]]:
    """Items from a QTI 3.0 package, and a message for each resource that was skipped."""
    archive = _open_archive(data)
    names = set(archive.namelist())
    if "imsmanifest.xml" not in names:
        raise InterchangeError("the package has no imsmanifest.xml at its top level, so it is not a QTI content package")
    manifest = _parse(archive.read("imsmanifest.xml"), "imsmanifest.xml")
    items, skipped = [], []
    for resource in manifest.iter():
        if _local(resource.tag) != "resource" or not resource.get("type", "").startswith("imsqti_item_xml"):
            continue
        href = resource.get("href", "")
        if href not in names:
            skipped.append(f"{resource.get('identifier')}: the manifest names {href}, which is not in the package")
            continue
        try:
            items.append(_read_item(archive, href, resource))
        except InterchangeError as error:
            skipped.append(f"{resource.get('identifier')} ({href}): {error}")
    return items, skipped


def _open_archive(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InterchangeError("the file is not a zip archive (a QTI package is a .zip with imsmanifest.xml)") from None
    entries = archive.infolist()
    if len(entries) > MAX_ARCHIVE_FILES:
        raise InterchangeError(f"the package has {len(entries)} files; the limit is {MAX_ARCHIVE_FILES}")
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNCOMPRESSED:
        raise InterchangeError(f"the package would unpack to {total // (1024 * 1024)} MB; the limit is {MAX_UNCOMPRESSED // (1024 * 1024)} MB")
    for entry in entries:
        if entry.compress_size and entry.file_size / entry.compress_size > MAX_RATIO and entry.file_size > 1024 * 1024:
            raise InterchangeError(f"{entry.filename} is compressed suspiciously well (a zip bomb?); refused")
        if entry.filename.startswith("/") or ".." in entry.filename.split("/"):
            raise InterchangeError(f"{entry.filename} points outside the package; refused")
    return archive


def _parse(raw: bytes, name: str):
    try:
        return SafeET.fromstring(raw)
    except SafeET.ParseError as error:
        line = error.position[0] if getattr(error, "position", None) else 1
        raise InterchangeError(f"{name} line {line}: not well-formed XML ({error})") from None
    except Exception as error:  # defusedxml refuses entities and DTDs with its own exceptions
        raise InterchangeError(f"{name}: refused unsafe XML ({type(error).__name__})") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element, name):
    return [child for child in element if _local(child.tag) == name]


def _find(element, name):
    return next((e for e in element.iter() if _local(e.tag) == name), None)


def _text(element) -> str:
    """Visible text of an element, leaving out feedback."""
    parts = [element.text or ""]
    for child in element:
        if _local(child.tag) != "qti-feedback-inline":
            parts.append(_text(child))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def _read_item(archive, href, resource) -> ExternalItem:
    root = _parse(archive.read(href), href)
    if _local(root.tag) != "qti-assessment-item":
        raise InterchangeError("not a qti-assessment-item")
    body = _find(root, "qti-item-body")
    interactions = [e for e in body.iter() if _local(e.tag).endswith("-interaction")] if body is not None else []
    if len(interactions) != 1 or _local(interactions[0].tag) not in ("qti-choice-interaction", "qti-order-interaction"):
        kinds = ", ".join(sorted({_local(e.tag) for e in interactions})) or "no interaction"
        raise InterchangeError(f"unsupported item ({kinds}); only single choice, multiple choice and order interactions are imported")
    interaction = interactions[0]
    choices = _children(interaction, "qti-simple-choice")
    identifiers = [choice.get("identifier") for choice in choices]
    correct = [value.text.strip() for value in root.iter() if _local(value.tag) == "qti-value"
               and _local(_parent_tag(root, value)) == "qti-correct-response"]
    if not correct or any(value not in identifiers for value in correct):
        raise InterchangeError("the correct response is missing or names a choice that does not exist")
    letters = {identifier: chr(ord("A") + n) for n, identifier in enumerate(identifiers)}
    item_type = _item_type(interaction, correct)
    stem = "\n\n".join(_text(p) for p in body if _local(p.tag) not in ("qti-choice-interaction", "qti-order-interaction") and _text(p))
    prompt = _find(interaction, "qti-prompt")
    if prompt is not None and _text(prompt):
        stem = f"{stem}\n\n{_text(prompt)}".strip()
    stimulus = _stimulus_text(archive, href, root)
    options = [{"text": _text(choice), "rationale": _feedback(choice)} for choice in choices]
    external = ExternalItem(source_id=root.get("identifier") or resource.get("identifier"), type=item_type, stem=stem,
                            options=options, key=[letters[value] for value in correct])
    _apply_metadata(external, resource, stimulus)
    return external


def _parent_tag(root, child):
    for parent in root.iter():
        if child in list(parent):
            return parent.tag
    return ""


def _item_type(interaction, correct):
    if _local(interaction.tag) == "qti-order-interaction":
        return "ranking"
    return "single_best_answer" if interaction.get("max-choices", "1") == "1" and len(correct) == 1 else "multiple_response"


def _feedback(choice) -> str:
    feedback = _children(choice, "qti-feedback-inline")
    return " ".join(" ".join((f.text or "").split()) for f in feedback).strip()


def _stimulus_text(archive, item_href, root) -> str:
    reference = _find(root, "qti-assessment-stimulus-ref")
    if reference is None:
        return ""
    path = posixpath.normpath(posixpath.join(posixpath.dirname(item_href), reference.get("href", "")))
    if path not in archive.namelist():
        raise InterchangeError(f"the item refers to a stimulus {path} that is not in the package")
    stimulus = _parse(archive.read(path), path)
    return "\n\n".join(_text(p) for p in stimulus.iter() if _local(p.tag) in ("p", "h3") and _text(p))


def _apply_metadata(external, resource, stimulus):
    keywords = {}
    references = []
    for string in resource.iter():
        if _local(string.tag) == "string" and (string.text or "").startswith(KEYWORD_PREFIX):
            name, _, value = string.text[len(KEYWORD_PREFIX):].partition("=")
            if name == "reference":
                references.append(value)
            else:
                keywords[name] = value
    codes = [taxon_id.text.strip() for taxon_id in resource.iter() if _local(taxon_id.tag) == "id" and taxon_id.text]
    if codes:
        external.kss, external.also_kss = codes[0], codes[1:]
    external.tier = keywords.get("tier")
    external.difficulty = keywords.get("difficulty", "medium")
    external.references = references
    if keywords.get("scenario"):
        external.kind, external.scenario, external.stage = "applied", keywords["scenario"], keywords.get("stage")
    elif stimulus:
        external.stem = f"{stimulus}\n\n{external.stem}"  # a foreign package's stimulus joins the stem
