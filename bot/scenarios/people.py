"""Who a pronoun in a trainee's answer means, so "have a chat with them" counts as speaking with
the child when the step is about one child.

A pronoun means the person the answer named last that it can refer to ("speak to mum and ask
her": the mother). When the answer has named nobody it can mean yet, it means whom the step's
case makes clear: the person the case's own first pronoun of that kind refers to ("The children
are sitting quietly. They are calm": the children), else the one person of that kind the case
names ("a 9-year-old pupil": him, her and them are the child). Otherwise it is left as it is.
The people words (``people`` in ``_synonyms.yml``) are compared after the everyday synonyms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, NamedTuple

MALE, FEMALE, ANY = "male", "female", "any"
# pronoun -> (kind, form): "possessive" becomes "the child's", "her" is possessive before a word.
PRONOUNS: dict[str, tuple[str, str]] = {
    "he": (MALE, "subject"), "him": (MALE, "object"), "his": (MALE, "possessive"), "himself": (MALE, "object"),
    "she": (FEMALE, "subject"), "her": (FEMALE, "her"), "hers": (FEMALE, "object"), "herself": (FEMALE, "object"),
    "they": (ANY, "subject"), "them": (ANY, "object"), "their": (ANY, "possessive"), "theirs": (ANY, "object"),
    "themselves": (ANY, "object"), "themself": (ANY, "object"),
}
# "they're" -> "the child are": the contraction's word, so the sentence still reads.
CONTRACTIONS = {"'re": "are", "'s": "is", "'ll": "will", "'d": "would", "'ve": "have", "'m": "am"}
GROUPS = ("children", "women", "men", "others")


@dataclass(frozen=True)
class PeopleWords:
    """Canonical person words by group: children, women, men, and others (professionals, parents)."""

    groups: Mapping[str, frozenset[str]]

    def group_of(self, word: str) -> str | None:
        """The group of a person word, singular or plural ("children")."""
        for form in (word, _SINGULAR.get(word, word[:-1] if word.endswith("s") else word)):
            group = next((g for g in GROUPS if form in self.groups.get(g, ())), None)
            if group:
                return group
        return None

    def fits(self, word: str, kind: str) -> bool:
        """Whether a pronoun of ``kind`` can mean ``word``: he and she never mean a professional
        (their sex is not known), they can mean anyone."""
        group = self.group_of(word)
        if group is None:
            return False
        if kind == MALE:
            return group in ("men", "children")
        if kind == FEMALE:
            return group in ("women", "children")
        return True


class Mention(NamedTuple):
    word: str  # canonical person word ("child", "mother")
    plural: bool  # "the children", "the parents"
    start: int = 0  # its tokens in the text
    size: int = 1


# (words from a position) -> (tokens used, canonical word): the matcher's synonym reading.
Canonical = Callable[[list[str]], tuple[int, str]]
SENTENCE_ENDS = {".", "!", "?", ";"}
# Whom a pronoun of each kind prefers among the people named in its sentence, best first.
PREFERENCE = {MALE: ("men", "children"), FEMALE: ("women", "children"), ANY: GROUPS}


class Resolver:
    """Rewrites an answer with its pronouns replaced by the people they mean."""

    def __init__(self, nlp, canonical: Canonical, words: PeopleWords):
        self.nlp, self.canonical, self.words = nlp, canonical, words

    def defaults(self, case: str) -> dict[str, str]:
        """Kind -> the person a pronoun of that kind means in a step whose case (and question) is ``case``."""
        found: dict[str, str] = {}
        mentioned: list[Mention] = []
        for item in self._walk(case, {}):
            if isinstance(item, Mention):
                mentioned.append(item)
            elif item[1] and item[0] not in found and self.words.group_of(item[1]) != "others":
                found[item[0]] = item[1]
        for kind in (MALE, FEMALE, ANY):
            if kind not in found and (only := self._only(kind, mentioned)):
                found[kind] = only
        return found

    def _only(self, kind: str, mentioned: list[Mention]) -> str | None:
        """The one adult of the pronoun's sex the case names, else its one child (a single child for he or she)."""
        group = self.words.group_of
        adults = {MALE: "men", FEMALE: "women"}.get(kind)
        named = sorted({m.word for m in mentioned if adults and group(m.word) == adults})
        if named:
            return named[0] if len(named) == 1 else None
        children = [m for m in mentioned if group(m.word) == "children"]
        if adults and (any(m.plural for m in children) or any(group(m.word) in ("men", "women") for m in mentioned)):
            return None
        words = {m.word for m in children}
        word = "child" if "child" in words else (next(iter(words)) if len(words) == 1 else None)
        plural = any(m.plural for m in children if m.word == word)
        return _plural(word) if word and plural else word

    def resolve(self, text: str, defaults: Mapping[str, str]) -> str:
        """``text`` with each pronoun that can be resolved replaced by "the <person>"."""
        doc = self.nlp(text or "")
        walked = list(self._walk(text, defaults, doc))
        replaced = {item[2]: item[1] for item in walked if not isinstance(item, Mention) and item[1]}
        renamed = {m.start: m for m in walked if isinstance(m, Mention) and _said_otherwise(doc, m)}
        if not replaced and not renamed:
            return text
        out: list[str] = []
        skip = 0
        for i, token in enumerate(doc):
            if skip:
                skip -= 1
                continue
            if i in renamed:  # "mum" -> "mother", "the kids" -> "the children": the key points' words
                mention = renamed[i]
                word = _plural(mention.word) if mention.plural else mention.word
                out.append((word[0].upper() + word[1:] if token.text[0].isupper() else word)
                           + doc[i + mention.size - 1].whitespace_)
                skip = mention.size - 1
            elif i in replaced:
                kind, form = PRONOUNS[token.lower_]
                following = doc[i + 1] if i + 1 < len(doc) else None
                possessive = form == "possessive" or (form == "her" and following is not None
                                                      and following.is_alpha and not following.is_stop)
                word = f"the {replaced[i]}" + ("'s" if possessive else "")
                out.append((word[0].upper() + word[1:] if token.text[0].isupper() else word) + token.whitespace_)
            elif i - 1 in replaced and token.lower_ in CONTRACTIONS:
                out.append(" " + CONTRACTIONS[token.lower_] + token.whitespace_)
            else:
                out.append(token.text_with_ws)
        return "".join(out)

    def _walk(self, text: str, defaults: Mapping[str, str], doc=None):
        """Yield each person named (a Mention) and each pronoun as (kind, person or None, index).

        A pronoun means the person its sentence named last that it prefers; else the step's
        default; else the person an earlier sentence named last that it can mean.
        """
        doc = doc if doc is not None else self.nlp(text or "")
        lemmas = [(t.lemma_ or t.text).lower() for t in self.nlp((text or "").lower())]
        if len(lemmas) != len(doc):
            lemmas = [(t.lemma_ or t.text).lower() for t in doc]
        earlier: list[str] = []
        sentence: list[str] = []
        i = 0
        while i < len(doc):
            lower = doc[i].lower_
            if lower in SENTENCE_ENDS:
                earlier, sentence = earlier + sentence, []
            if lower in PRONOUNS:
                kind = PRONOUNS[lower][0]
                person = (self._preferred(kind, sentence) or defaults.get(kind)
                          or next((w for w in reversed(earlier) if self.words.fits(w, kind)), None))
                if person:
                    sentence.append(person)
                yield kind, person, i
                i += 1
                continue
            size, word = self.canonical(lemmas[i:i + 4])
            word = word if size else lemmas[i]
            if self.words.group_of(word):
                last = doc[i + max(size, 1) - 1]
                plural = last.lower_ != lemmas[i + max(size, 1) - 1] and not last.lower_.endswith("'s")
                sentence.append(_plural(word) if plural else word)
                yield Mention(word, plural, i, max(size, 1))
            i += max(size, 1)

    def _preferred(self, kind: str, sentence: list[str]) -> str | None:
        for group in PREFERENCE[kind]:
            found = next((w for w in reversed(sentence) if self.words.group_of(w) == group), None)
            if found:
                return found
        return None


def _said_otherwise(doc, mention: Mention) -> bool:
    """Whether the person is named with another word than the canonical one ("mum", "the kids")."""
    said = " ".join(t.lower_ for t in doc[mention.start:mention.start + mention.size])
    return said not in (mention.word, _plural(mention.word)) and not said.endswith("'s")


_PLURALS = {"child": "children", "baby": "babies", "woman": "women", "man": "men", "police": "police", "staff": "staff",
            "family": "families"}
_SINGULAR = {plural: word for word, plural in _PLURALS.items()}


def _plural(word: str) -> str:
    return _PLURALS.get(word, word + "s")
