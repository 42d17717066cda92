import pytest

from bot.understanding.normalise import ASK_WEIGHT, MAX_INPUT_CHARS, escape_slack, normalise


@pytest.mark.parametrize(
    "raw, words",
    [
        ("<@U024BE7LH> what is ECS again", "what is ecs again"),
        ("<@U024BE7LH|container-bot> what is ECS", "what is ecs"),
        ("ask in <#C0123|ecs-team> please", "ask in please"),
        ("<!here> <!channel> <!subteam^S123|@platform> ecs vs eks", "ecs vs eks"),
        ("see <https://aws.amazon.com/eks/|the eks page>", "see the eks page"),
        ("see <https://aws.amazon.com/eks/>", "see eks"),  # a bare link is read by its path, as context
        (":thinking_face: ecs or eks :rocket:", "ecs or eks"),
        (":wave:", "wave"),
        ("What's   the DIFF?!", "whats the diff"),
        ("ecs &amp; eks &lt;3", "ecs eks 3"),
        ("qué es ecs", "que es ecs"),
        ("e\u200bks\u200f vs \u202eecs\u0007", "eks vs ecs"),
        ("CREATE_FAILED", "create failed"),
        ("ＥＣＳ", "ecs"),
        ("🚀🚀", ""),
        ("", ""),
    ],
)
def test_normalise(raw, words):
    assert normalise(raw).text == words


def test_long_input_is_capped():
    assert len(normalise("ecs " * 20000).text) <= MAX_INPUT_CHARS


def test_escape_prevents_markup():
    assert escape_slack("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"


@pytest.mark.parametrize(
    "raw, asking, context",
    [
        # a bare plea asks what the sentence before it says
        ("my lead asked how ecs and eks differ and i froze. help me out?", "how ecs and eks differ", ""),
        ("ecs vs eks for a batch pipeline. thoughts?", "ecs vs eks", ""),
        # a question long enough to say something asks alone; what comes before it is context
        ("we ship twice a day. which is cheaper, ecs or eks?", "which is cheaper", "we ship twice a day"),
    ],
)
def test_the_sentence_that_asks_weighs_fully(raw, asking, context):
    norm = normalise(raw)
    full = " ".join(t for t, w in zip(norm.tokens, norm.weights, strict=True) if w == ASK_WEIGHT)
    assert asking in full
    assert not context or context not in full
