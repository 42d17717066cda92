"""Reading what comes in from Slack: the cheap check for the "Start the guided choice" prompt answers exactly
as the full reading of the text does."""


def test_the_choice_prompt_check_answers_as_the_full_reading_does():
    """The cheap first test of is_choice_prompt never says no where normalise's words would say yes."""
    import random

    from bot.slack.incoming import is_choice_prompt
    from bot.understanding.normalise import MAX_INPUT_CHARS, normalise

    def reading(text):
        words = normalise(text or "").tokens
        return (
            2 <= len(words) <= 5
            and words[-2:] == ("guided", "choice")
            and words[0] in ("start", "open", "run")
        )

    tricky = [
        "Start the guided choice",
        "start guided &#99;hoice",  # an entity: only the decoded text says "choice"
        "start guided choic&#101;",
        "start guided"
        + " " * (MAX_INPUT_CHARS - 22)
        + "choic&#1010",  # cut at the limit, the entity reads "e"
        "start guided ｃｈｏｉｃｅ",  # full-width letters fold to ASCII
        "start guided cho\u200bice",  # an invisible mark inside the word
        "start guided CHO'ICE",
        "run <@U1> guided choice",
        "open <https://example.com|guided choice>",
        "start <https://example.com/guided_choice>",
        "start guided https://example.com/Choice",
        ":start: :guided_choice:",
        "> start guided choice",
        "start guided Choi\u0301ce",
        None,
        "",
        "start guided choices",
    ]
    rng = random.Random(7)
    starts = ["start", "Open", "run", "begin", "&#115;tart", ":start:"]
    middles = ["", "the", "<@U1>", "a new", "&amp;", ".", "\n"]
    guided = ["guided", "Guided", "gu\u200bided", "guid&#101;d", "<https://x.io|guided>", "guided_"]
    choices = ["choice", "&#99;hoice", "ch&#x6f;ice", "cho\u200bice", "ｃhoice", "CHO'ICE", "cho<@U1>ice"]
    choices += ["choic&#101;", "choices", "choice?", "choi\u0301ce", "cho-ice", ":choice:", "choice&amp;"]
    separators = [" ", "  ", "\n", ". ", " - ", "_", ",", "'"]
    fuzzed = []
    for _ in range(3000):
        parts = [rng.choice(starts), rng.choice(middles), rng.choice(guided), rng.choice(choices)]
        fuzzed.append("".join(p + rng.choice(separators) for p in parts).rstrip())
    for text in tricky + fuzzed:
        assert is_choice_prompt(text) == reading(text), repr(text)
