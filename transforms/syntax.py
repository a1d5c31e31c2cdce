"""What a sentence's dependency tree says about one figure: the word that governs it, who did it, where, who said so.

The small model's parser (tok2vec + parser) runs only on sentences that hold a figure (transforms.nlp
`parse_sentences`), each parsed on its own, so offsets here are relative to the sentence. Nothing here
knows entities or categories: it returns character spans, and `figure_roles` turns them into names.

The reading, for the counted phrase of "a US-led coalition air strike killed 12 civilians in Manbij,
the Observatory said":
- the counted head is the noun the number modifies ("civilians"), or the number itself ("killed 12");
- the governor is the verb or noun the counted head depends on ("killed"), climbing through
  coordination ("12 killed and 30 wounded": each conjunct keeps its own verb) and "of"
  ("the lives of 129 loyalists" -> "claimed");
- the agent is the `by` phrase of a passive governor, else the subject of an active one (through
  participles and coordinated verbs: "..., killing 3" takes the main verb's subject); an attack
  noun stands for whoever owns it ("rebel shelling", "air strikes by the coalition");
- places are the objects of locative prepositions attached to the governor, the counted head and
  their ancestors, nearest first;
- the source is the subject of the nearest reporting verb above the governor ("the Observatory
  said"), or the object of "according to".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from spacy.tokens import Doc, Token

from transforms.figure_category import event_of_word
from transforms.vocabulary import word_lists

Span = tuple[int, int]  # character offsets in the sentence


@lru_cache(maxsize=1)
def role_words() -> dict[str, frozenset[str]]:
    """The word lists of data/role_words.csv by kind (speech, attack, combatant, victim, locative, ...)."""
    return {k: frozenset(w.lower() for w in ws) for k, ws in word_lists("role_words.csv", column="word").items()}


def is_word_text(word: str, kind: str) -> bool:
    return word.lower() in role_words()[kind]


# "Cholera has claimed 45 lives": a reporting verb that, governing the figure, is its event.
CLAIMED = frozenset({"claimed", "claims", "claim", "claiming"})


def is_deed(word: str) -> bool:
    """What one claims as a deed rather than a statement: "claimed the attack", "responsibility",
    "the lives of"."""
    return word.lower() in role_words()["attack"] or word.lower() in ("responsibility", "credit", "lives", "life")


@dataclass(frozen=True)
class Reading:
    """What the tree says about one figure (spans relative to the sentence; None where it says nothing)."""

    counted_head: Span | None
    governor: str | None  # the governing word, lower case ("killed", "strikes")
    agent: Span | None  # the phrase of who did it
    places: tuple[Span, ...]  # objects of locative prepositions, nearest first
    source: Span | None
    source_whole: Span | None = None  # the source's whole phrase, titles and names included
    attack_owners: tuple[Span, ...] = ()  # owners of the sentence's attack nouns, nearest first


def number_token(doc: Doc, start: int, end: int) -> Token | None:
    """The last token inside the figure's number (the "12" of "at least 12")."""
    span = doc.char_span(start, end, alignment_mode="expand")
    return span[-1] if span is not None and len(span) else None


def counted_head(num: Token) -> Token:
    """The noun the number counts: "12 [civilians]"; the number itself where it stands alone ("killed 12")."""
    tok = num
    while tok.dep_ == "conj" and tok.head.i < tok.i and tok.head.like_num:
        tok = tok.head  # "three or four more": the first number of the pair carries the phrase
    for _ in range(4):
        if tok.dep_ in ("nummod", "quantmod", "compound") and tok.head.i != tok.i and tok.head.i > tok.i:
            tok = tok.head
        else:
            break
    return tok


def governor(head: Token) -> Token | None:
    """The word the counted phrase depends on: its verb, or the noun of "the lives of" / "among"."""
    tok = head
    for _ in range(6):
        if tok.dep_ == "conj" or tok.dep_ == "appos":
            tok = tok.head
            continue
        break
    if tok.i != head.i and event_of_word(tok.lower_) is not None:
        return tok  # a list that hangs on an event noun ("the killing of ..., 969 women and 3110 men")
    # "12 people killed": a participle after the noun says what happened to it.
    for child in head.rights:
        if child.dep_ in ("acl", "amod") and child.i <= head.i + 3:
            return child
    if tok.dep_ == "ROOT" or tok.head.i == tok.i:
        return None
    up = tok.head
    if up.lower_ in role_words()["speech"] and tok.dep_ == "nsubjpass":
        # "six people were reported killed", "are believed to have died": the report's complement is the event
        said = _child(up, "xcomp", "oprd")
        while said is not None and said.lower_ in ("be", "have", "been") and _child(said, "xcomp", "acomp"):
            said = _child(said, "xcomp", "acomp")
        if said is not None:
            return said
    if tok.dep_ == "pobj" and up.dep_ in ("prep", "agent"):
        above = up.head
        if up.lower_ in ("of", "including", "among") and above.dep_ in ("dobj", "nsubj", "nsubjpass", "pobj", "attr"):
            if up.lower_ == "of" and event_of_word(above.lower_) is not None:
                return above  # "documented the killing of 5812 civilians": the noun is the event
            # "claimed the lives of 129": the verb of "lives"; "600 Syrians including 136 children": of "Syrians"
            return governor(above) or above
        return above
    return up


def _verb_chain(tok: Token) -> Iterator[Token]:
    """The token and the verbs above it, nearest first."""
    seen = 0
    while seen < 12:
        yield tok
        if tok.head.i == tok.i:
            return
        tok = tok.head
        seen += 1


def _child(tok: Token, *deps: str) -> Token | None:
    return next((c for c in tok.children if c.dep_ in deps), None)


def _passive(verb: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)


_NP_LEFT = frozenset({"det", "amod", "compound", "nmod", "poss", "case", "nummod", "npadvmod", "punct", "quantmod"})


def noun_phrase(head: Token, coordinated: bool = True) -> Span:
    """The head's noun phrase: its left modifiers ("the Gaza health [ministry]") and an "of"/"for"
    phrase that names it ("Observatory for Human Rights"), without relative clauses or other preps."""
    left = head
    for child in head.lefts:
        if child.dep_ in _NP_LEFT:
            left = min(left, child.left_edge, key=lambda t: t.i)
            break
    right = head
    for child in head.rights:
        if child.dep_ == "prep" and child.lower_ in ("of", "for") and child.i == right.i + 1:
            obj = _child(child, "pobj")
            if obj is not None and obj.text[:1].isupper():
                right = obj.right_edge
        elif child.dep_ in ("compound", "flat", "appos") and child.i == right.i + 1 and child.text[:1].isupper():
            right = child
        elif coordinated and child.dep_ == "conj" and any(c.dep_ == "cc" and c.i < child.i for c in head.rights):
            end = noun_phrase(child, coordinated=False)[1]  # "the Assad regime and its ally Russia": both did it
            right = next(t for t in head.doc if t.idx + len(t.text) == end)
    doc = head.doc
    while left.i < head.i and (left.like_num or left.lower_ in role_words()["time"]):
        left = doc[left.i + 1]  # "2014 ISIL terrorists", "Jul ...": a date's remains are not the name
    for tok in doc[left.i : head.i]:
        if tok.is_punct and tok.text not in ("-", "'", "’", ".") or _dated(tok):
            # "TEXT] MAOIST GUERRILLAS": a bracket ends what came before; so does a dateline's
            # date ("Aleppo Monitor AFP Monday 17 Oct 2016 Air strikes")
            left = doc[tok.i + 1]
    while left.i < right.i and (left.dep_ in ("punct", "det", "case") or left.lower_ in ("the", "a", "an")):
        left = doc[left.i + 1]
    return left.idx, right.idx + len(right.text)


def _is_time(word: str) -> bool:
    """A time word, also with a possessive ("Monday's", or "Mondays" where the copy lost the apostrophe;
    only a weekday's full name, so "thus" is not "Thu")."""
    words = role_words()
    w = word.lower()
    if w in words["time"] or w.endswith(("'s", "’s")) and w[:-2] in words["time"]:
        return True
    return w.endswith("days") and w[:-1] in words["calendar"]


# Calendar words that are also ordinary words: they mark a date only beside a number ("Sun 22 Feb").
_AMBIGUOUS_CALENDAR = frozenset({"may", "mar", "sun", "sat", "wed"})


def is_calendar_word(word: str) -> bool:
    """A weekday or month name ("Monday", "Oct") that cannot be an ordinary word."""
    w = word.lower().strip(",.")
    return w in role_words()["calendar"] and w not in _AMBIGUOUS_CALENDAR


def _dated(tok: Token) -> bool:
    """A word of a date: a weekday or month ("Monday", "Oct"), or a number beside one ("17 Oct 2016");
    not any time word ("Libya Dawn", "the Sunday Times" keep their names)."""
    if is_calendar_word(tok.text):
        return True
    calendar = role_words()["calendar"]
    doc = tok.doc
    return tok.like_num and any(0 <= j < len(doc) and doc[j].lower_ in calendar for j in (tok.i - 1, tok.i + 1))


def _by_object(noun: Token) -> Token | None:
    """The object of the noun's own `by` phrase: "air strikes by [the coalition]"."""
    by = next((c for c in noun.rights if c.dep_ in ("prep", "agent") and c.lower_ == "by"), None)
    return _child(by, "pobj") if by is not None else None


def _owner(noun: Token) -> Token | None:
    """Who an attack noun belongs to: "air strikes [by the coalition]", "[rebel] shelling", "[Russian] jets"."""
    obj = _by_object(noun)
    if obj is not None:
        return obj
    words = role_words()
    for child in sorted(noun.lefts, key=lambda t: t.i):
        if _furniture(child):
            continue  # "Since Thursday bombing", "29 July 2015 An Israeli airstrike"
        if child.dep_ in ("amod", "compound", "nmod", "poss", "npadvmod") and child.lower_ not in words["weapon_word"]:
            if child.lower_ in words["news_agency"] or _dated(child):
                continue  # "... AFP Monday 17 Oct 2016 Air strikes": a dateline's words own nothing
            if child.lower_ in words["attack"] or child.lower_ in ("the", "a", "an"):
                continue
            if child.lower_ in role_words()["owner"] or child.text[:1].isupper() and not _opens_sentence(child):
                return child  # not "Indiscriminate shelling", "Retaliatory strikes": capitals that open a sentence
    return None


def _agent_of(verb: Token) -> Token | None:
    """Who did what `verb` says."""
    words = role_words()
    for v in _verb_chain(verb):
        if v.lower_ in words["speech"]:
            return None  # above a reporting verb is who said it, not who did it
        if _passive(v) or v.dep_ in ("acl", "amod") or v.i == verb.i and not _child(v, "nsubj"):
            # "were killed and 15 injured in rebel rocket attacks": the phrase may hang on a conjunct
            for w in _cluster(v):
                agent = _child(w, "agent")
                if agent is not None and (obj := _child(agent, "pobj")) is not None:
                    return _resolve_attack(obj)
            for w in _cluster(v):
                for prep in w.children:  # "were killed in rebel shelling", "during Russian air strikes"
                    if prep.dep_ == "prep" and prep.lower_ in ("in", "during", "by", "after", "from", "under"):
                        owner = _attack_owner(_child(prep, "pobj"))
                        if owner is not None:
                            return owner
            for w in _cluster(v):
                for clause in w.children:  # "were killed when the rebels ambushed a truck"
                    doer = _child(clause, "nsubj") if clause.dep_ == "advcl" else None
                    if (
                        doer is not None
                        and clause.lower_ in words["attack_verb"]
                        and doer.lower_ not in words["pronoun"]
                    ):
                        who = _resolve_attack(doer)
                        if who is not None and (who.i != doer.i or _can_do(who)):
                            return who  # not "when their patrol hit a mine": a doer is a group or a name
            if _passive(v):
                return None
        subj = _child(v, "nsubj")
        if subj is not None:
            if subj.lower_ in ("it", "they", "we") or subj.lower_ in ("its", "their") and subj.dep_ == "poss":
                speaker = _reporter_above(v)  # "The army said it killed 35": the army
                return _resolve_attack(speaker) if speaker is not None else None
            if subj.lower_ in ("which", "that") and v.dep_ == "relcl":
                return _antecedent_doer(v.head)
            if subj.lower_ in words["pronoun"] or subj.like_num:
                return None
            owner = next((c for c in subj.children if c.dep_ == "poss" and c.lower_ in ("its", "their")), None)
            if owner is not None and subj.lower_ in words["attack"]:
                # "the coalition said its air strikes killed 40"; "the coalition opened an inquiry into
                # whether its air strikes claimed 100 civilians": the subject above that "its" points to
                above = _reporter_above(v) or _antecedent_before(owner)
                return _resolve_attack(above) if above is not None else None
            return _resolve_attack(subj)
        if v.dep_ not in ("conj", "advcl", "xcomp", "acl", "pcomp", "ccomp") or v.head.i == v.i:
            return None
    return None


def _antecedent_doer(noun: Token) -> Token | None:
    """Who stands behind "the attacks which killed 28": the attacks' owner, else whoever claimed,
    launched or carried them out ("Daesh claimed dual attacks ... which killed")."""
    words = role_words()
    climbed = noun
    for _ in range(4):  # "attacks in the commercial area of Baghdad which killed": the clause may hang low
        if climbed.lower_ in words["attack"] or climbed.dep_ != "pobj" or climbed.head.head.i == climbed.head.i:
            break
        climbed = climbed.head.head
    if climbed.lower_ in words["attack"]:
        noun = climbed
    doer = _resolve_attack(noun)
    if doer is not None and doer.i != noun.i or noun.lower_ not in words["attack"]:
        return doer
    verb = noun.head if noun.dep_ == "dobj" else None
    if noun.dep_ == "pobj" and noun.head.lower_ == "for" and noun.head.head.lower_ == "responsibility":
        verb = noun.head.head.head  # "claimed responsibility for the attacks"
    if verb is None or verb.lower_ not in words["deed_verb"]:
        return doer  # "called for an investigation into an attack that killed": not who did it
    subj = _child(verb, "nsubj")
    if subj is None or subj.lower_ in words["pronoun"]:
        return doer
    return _resolve_attack(subj)


def _opens_sentence(tok: Token) -> bool:
    """The first word of the sentence, or of a quote or clause in it: its capital says nothing."""
    if tok.i == 0 or tok.text.isupper() and len(tok.text) > 1:
        return tok.i == 0 and not tok.text.isupper()
    return tok.doc[tok.i - 1].is_punct and tok.doc[tok.i - 1].text not in ("-", "'", "’")


def _furniture(tok: Token) -> bool:
    """A date, a time word or a page's furniture ("Tags", "Published") mis-parsed as a subject."""
    return _is_time(tok.text) or _is_time(tok.left_edge.text) or tok.like_num


def _reporter_above(verb: Token) -> Token | None:
    """The subject of the reporting verb that `verb` is reported under, if any."""
    words = role_words()
    for v in list(_verb_chain(verb))[1:]:
        if v.lower_ in words["speech"]:
            subj = _child(v, "nsubj")
            return subj if subj is not None and subj.lower_ not in words["pronoun"] else None
    return None


def _can_do(tok: Token) -> bool:
    """A word that can name a doer: an armed group's word ("rebels", "coalition") or a name."""
    words = role_words()
    if tok.lower_ in words["combatant"] or tok.lower_ in words["owner"]:
        return True
    return tok.text[:1].isupper() and not _opens_sentence(tok) and tok.lower_ not in words["weapon_word"]


def _antecedent_before(tok: Token) -> Token | None:
    """What "its" / "their" points back to: the nearest noun before it that can name a doer
    ("the coalition opened an inquiry into whether its strikes", "HRW condemned the coalition after
    its strikes" -> the coalition both times)."""
    nominal = ("nsubj", "nsubjpass", "dobj", "pobj", "appos", "conj", "attr")  # the parse has no tagger
    for t in reversed(tok.doc[: tok.i]):
        if t.dep_ in nominal and t.is_alpha and _can_do(t) and not _dated(t):
            return t
    return None


def _cluster(verb: Token) -> list[Token]:
    """The verb and the verbs coordinated with it ("killed and injured"), and participles it governs."""
    out = [verb]
    first = verb
    while first.dep_ == "conj" and first.head.i != first.i:
        first = first.head
        out.append(first)
    for tok in list(out):
        out.extend(c for c in tok.children if c.dep_ in ("conj", "acl", "xcomp") and c not in out)
        for c in tok.children:  # "... and 15 injured": the second number's own participle
            if c.dep_ == "conj":
                out.extend(g for g in c.children if g.dep_ in ("acl", "amod"))
    return out


def _attack_owner(obj: Token | None) -> Token | None:
    """The owner of an attack noun object: "[rebel] shelling", or the mis-parse "in [government] shelling"
    where the owner is the object and the attack noun hangs after it."""
    if obj is None:
        return None
    words = role_words()
    if obj.lower_ in words["attack"]:
        return _owner(obj)
    nxt = obj.doc[obj.i + 1] if obj.i + 1 < len(obj.doc) else None
    if (
        nxt is not None
        and nxt.lower_ in words["attack"]
        and not _is_time(obj.text)
        and (obj.text[:1].isupper() or obj.lower_ in words["owner"] or obj.lower_ in words["combatant"])
    ):
        return obj
    return None


def _once_per_sentence(doc: Doc, name: str, make: Callable[[], list[Any]]) -> list[Any]:
    """What `make` finds in the parsed sentence `doc`, kept on it: found once however many figures
    the sentence holds."""
    key = f"newsetl_{name}"
    if key not in doc.user_data:
        doc.user_data[key] = make()
    return doc.user_data[key]


def attack_owners(doc: Doc, near: int) -> list[Token]:
    """Owners of every attack noun in the sentence, nearest to token `near` first."""
    words = role_words()["attack"]
    owned = _once_per_sentence(
        doc, "attack_owners", lambda: [(t.i, o.i) for t in doc if t.lower_ in words and (o := _owner(t)) is not None]
    )
    return [doc[o] for _, o in sorted(owned, key=lambda x: abs(x[0] - near))]


def _resolve_attack(noun: Token) -> Token | None:
    """Who a subject or `by` object stands for: an attack noun for its owner, nobody for a place,
    a victim, a weapon's modifier, a date or page furniture."""
    words = role_words()
    if noun.lower_ in words["quantity"]:  # "a series of air strikes killed", "the number ... stands at"
        of = next((c for c in noun.rights if c.dep_ == "prep" and c.lower_ == "of"), None)
        obj = _child(of, "pobj") if of is not None else None
        return _resolve_attack(obj) if obj is not None else None
    if noun.lower_ in words["place_noun"] or noun.left_edge.lower_ in words["locative"]:
        return None  # a place is never the actor ("Near Ar Raqqah, 12 strikes": a mis-parsed subject)
    if noun.lower_ in words["news_agency"]:
        return None  # "Monitor AFP Monday ... Air strikes killed": the wire that reports, never the doer
    if noun.lower_ in words["cause"]:
        return None  # "the civil war has killed hundreds of thousands": a cause, not a doer
    if (
        noun.lower_ in words["victim"]
        or noun.lower_ in words["weapon_word"]
        or noun.lower_ in words["time"]
        or noun.like_num
    ):
        return None  # victims, a weapon's modifier ("air"), a date or page furniture are not doers
    obj = _by_object(noun)
    if obj is not None and noun.lower_ not in words["combatant"]:
        return _resolve_attack(obj)  # "an intensifying push by the Syrian government"
    if noun.lower_ in words["attack"]:
        owner = _owner(noun)
        if owner is not None:
            return owner
        return noun if noun.lower_ in ("bomber", "bombers", "attackers", "snipers") else None
    return noun


def _places(chain: list[Token], head: Token) -> list[Span]:
    """Locative objects on the counted noun ("500 ISIS fighters in the border town of Abu Kamal"), then
    on the event's chain, nearest first; never the counted's origin ("two fighters from Chechnya were
    killed in Raqqa" happened in Raqqa)."""
    words = role_words()
    out: list[Span] = []
    for tok in [head] + [t for t in chain if t.i != head.i]:
        for prep in tok.children:
            if tok.i == head.i and prep.lower_ == "from":
                continue
            if prep.dep_ == "prep" and prep.lower_ in words["locative"]:
                obj = _child(prep, "pobj")
                if obj is not None:
                    out.append((obj.left_edge.idx, obj.right_edge.idx + len(obj.right_edge.text)))
    return out


def _editorial(tok: Token) -> bool:
    """ "[TEXT]", "[Reuters]": a bracketed marker of the wire's layout, never a speaker."""
    doc = tok.doc
    return (tok.i + 1 < len(doc) and doc[tok.i + 1].text == "]") or (tok.i > 0 and doc[tok.i - 1].text == "[")


def _author(noun: Token) -> Token:
    """Who wrote a document: "a report by the Syrian Center for Policy Research" -> the center."""
    if noun.lower_ not in role_words()["document"]:
        return noun
    # "a report by X", "figures from X", "the latest calculations made by X"
    for holder in [noun] + [c for c in noun.rights if c.dep_ in ("acl", "relcl")]:
        for prep in holder.rights:
            if prep.dep_ in ("prep", "agent") and prep.lower_ in ("by", "from", "of"):
                obj = _child(prep, "pobj")
                if obj is not None and obj.lower_ not in role_words()["document"]:
                    return obj
    return noun


def _source(gov: Token) -> Token | None:
    """The subject of the nearest reporting verb above the figure, else "according to X" where X
    can speak ("according to plan" cannot); None for a pronoun (the text rules know who "he" is)."""
    words = role_words()
    doc = gov.doc
    for v in _verb_chain(gov):
        if v.i == gov.i and v.lower_ in CLAIMED:
            continue  # "cholera has claimed 45 lives": the event, not a report
        claimed = _child(v, "dobj") if v.lower_ in CLAIMED else None
        if claimed is not None and is_deed(claimed.lower_):
            continue  # "Daesh claimed dual attacks", "the blast claimed the lives of": a deed, not a report
        if v.lower_ in words["speech"]:
            subj = _child(v, "nsubj")
            if subj is None:
                agent = _child(v, "agent")
                subj = _child(agent, "pobj") if agent is not None else None
            if subj is not None and not _editorial(subj) and subj.lower_ not in words["attack"]:
                subj = _author(subj)
                return None if subj.lower_ in words["pronoun"] else subj
    according = _once_per_sentence(
        doc,
        "according_to",
        lambda: [t.i for t in doc if t.lower_ == "according" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "to"],
    )
    for i in according:
        obj = _child(doc[i + 1], "pobj")
        named = obj is not None and any(c.dep_ in ("amod", "compound", "poss", "nmod") for c in obj.lefts)
        if obj is not None and (
            named or obj.text[:1].isupper() or obj.lower_ in words["speaker"] or obj.lower_ in words["document"]
        ):
            obj = _author(obj)
            return None if obj.lower_ in words["pronoun"] else obj
    return None


def read(doc: Doc, start: int, end: int) -> Reading | None:
    """The tree's reading of the figure whose number spans [start, end) of the sentence."""
    num = number_token(doc, start, end)
    if num is None:
        return None
    head = counted_head(num)
    gov = governor(head)
    chain = [head] + (list(_verb_chain(gov)) if gov is not None else [])
    agent = _agent_of(gov) if gov is not None else None
    if agent is not None and (agent.i == head.i or head.i in range(agent.left_edge.i, agent.right_edge.i + 1)):
        agent = None  # the counted are not their own agent ("12 people died")
    source = _source(gov if gov is not None else head)
    return Reading(
        counted_head=(max(noun_phrase(head, coordinated=False)[0], num.idx + len(num.text)), head.idx + len(head.text))
        if head.i > num.i
        else None,
        governor=gov.lower_ if gov is not None else None,
        agent=noun_phrase(agent) if agent is not None else None,
        places=tuple(_places(chain, head)),
        source=noun_phrase(source) if source is not None else None,
        source_whole=(source.left_edge.idx, source.right_edge.idx + len(source.right_edge.text))
        if source is not None
        else None,
        attack_owners=tuple(noun_phrase(o) for o in attack_owners(doc, num.i)),
    )
