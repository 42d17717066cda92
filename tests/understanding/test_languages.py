"""The language a question was asked in, for the ten languages of the examples file: each asked in a sentence
that mixes scripts (product names in Latin letters, kanji with kana, hanja with hangul), as people write."""

import pytest

MIXED = [
    ("¿Qué es ECR y para qué sirve en AWS?", "Spanish"),
    ("O que é o ECR e para que serve na AWS?", "Portuguese"),
    ("Was ist der Unterschied zwischen ECS und EKS?", "German"),
    ("Quelle est la différence entre ECS et EKS ?", "French"),
    ("Che cos'è ECR e a cosa serve?", "Italian"),
    ("Wat is het verschil tussen ECS en EKS?", "Dutch"),
    # kanji with kana: Japanese, even where the kana are few and the kanji many
    ("ECRとは何ですか", "Japanese"),
    ("Kubernetesとは何ですか、EKSとの違いは？", "Japanese"),
    ("ECRの料金は? 價格", "Japanese"),
    # hangul with hanja
    ("ECS와 EKS의 差異는 뭐예요?", "Korean"),
    ("EKS 是什么？它和 ECS 有什么区别", "Chinese"),
    ("ECS aur EKS mein kya fark hai?", "Hindi (romanised)"),
]


@pytest.mark.parametrize("question, language", MIXED)
def test_the_language_of_a_mixed_script_question(engine, question, language):
    match = engine.matcher.match(question)
    assert match.language == language
    assert f"(You asked in {language}; I answer in English.)" in engine.ask(question).text


def test_the_ten_languages_are_all_tried(knowledge):
    names = {lang.name for lang in knowledge.examples.languages}
    assert names == {language for _, language in MIXED}
