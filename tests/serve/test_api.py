"""The HTTP API with FastAPI's TestClient: LibreTranslate's endpoints, ours, the guards."""

from __future__ import annotations

import io

import pytest


def test_translate_json_form_and_list(client):
    r = client.post("/translate", json={"q": "Hello there. Bye.", "source": "en", "target": "ru"})
    assert r.status_code == 200
    assert r.json() == {"translatedText": "RU:HELLO THERE. RU:BYE."}
    r = client.post("/translate", data={"q": "Hello.", "source": "en", "target": "az"})
    assert r.json() == {"translatedText": "AZ:HELLO."}
    r = client.post("/translate", json={"q": ["One.", "Two."], "source": "en", "target": "ru"})
    assert r.json() == {"translatedText": ["RU:ONE.", "RU:TWO."]}
    r = client.post("/translate", data={"q": ["One.", "Two."], "source": "en", "target": "ru"})
    assert r.json() == {"translatedText": ["RU:ONE.", "RU:TWO."]}
    r = client.post(
        "/translate", files={"q": (None, "Multi."), "source": (None, "en"), "target": (None, "ru")}
    )
    assert r.json() == {"translatedText": "RU:MULTI."}


def test_translate_html_and_auto(client):
    r = client.post(
        "/translate",
        json={
            "q": "<p>Hello <b>big</b> world.</p>",
            "source": "en",
            "target": "ru",
            "format": "html",
        },
    )
    assert r.json() == {"translatedText": "<p>RU:HELLO <b>RU:BIG</b> WORLD.</p>"}
    r = client.post("/translate", json={"q": "Привет, мир.", "source": "auto", "target": "en"})
    body = r.json()
    assert body["translatedText"] == "EN:ПРИВЕТ, МИР."
    assert body["detectedLanguage"]["language"] == "ru"


def test_pivot_direction_runs_two_engines(client, fake_models):
    r = client.post("/translate", json={"q": "Salam.", "source": "az", "target": "ru"})
    assert r.json() == {"translatedText": "RU:EN:SALAM."}
    assert [(e.src_lang, e.tgt_lang) for e in fake_models] == [("az", "en"), ("en", "ru")]


def test_models_load_once_per_direction(client, fake_models):
    for _ in range(3):
        client.post("/translate", json={"q": "Hi.", "source": "en", "target": "ru"})
    assert len(fake_models) == 1 and len(fake_models[0].calls) == 3


def test_model_override(make_client, fake_models):
    client = make_client(models={("en", "ru"): "/models/mine"})
    client.post("/translate", json={"q": "Hi.", "source": "en", "target": "ru"})
    assert fake_models[0].model_id == "/models/mine"


def test_languages_and_detect(client):
    langs = client.get("/languages").json()
    assert {x["code"]: x["targets"] for x in langs} == {
        "en": ["az", "ru"],
        "az": ["en", "ru"],
        "ru": ["en", "az"],
    }
    assert all(set(x) == {"code", "name", "targets"} for x in langs)
    for text, lang in [
        ("Министерство иностранных дел", "ru"),
        ("Xarici İşlər Nazirliyi", "az"),
        ("Ministry of Foreign Affairs", "en"),
        ("Azərbaycan", "az"),
    ]:
        found = client.post("/detect", data={"q": text}).json()
        assert found[0]["language"] == lang and 0 < found[0]["confidence"] <= 100


def test_errors_are_json(client):
    cases = [
        (client.post("/translate", json={"source": "en", "target": "ru"}), 400),
        (client.post("/translate", json={"q": "x", "source": "en", "target": "de"}), 400),
        (client.post("/translate", json={"q": "x", "source": "en"}), 400),
        (
            client.post(
                "/translate", json={"q": "x", "source": "en", "target": "ru", "format": "pdf"}
            ),
            400,
        ),
        (
            client.post(
                "/translate", content=b"{not json", headers={"content-type": "application/json"}
            ),
            400,
        ),
        (client.post("/translate", json=[1, 2]), 400),
        (client.get("/no/such/page"), 404),
        (client.get("/download_file/nothing"), 404),
        (
            client.post(
                "/v1/qa", json={"src": ["a"], "hyp": ["a", "b"], "src_lang": "en", "tgt_lang": "ru"}
            ),
            400,
        ),
    ]
    for response, status in cases:
        assert response.status_code == status, response.text
        body = response.json()
        assert set(body) == {"error"} and "Traceback" not in body["error"]


def test_internal_errors_hide_the_trace(make_client, fake_models, monkeypatch):
    client = make_client()
    client.post("/translate", json={"q": "Hi.", "source": "en", "target": "ru"})

    def broken(*a, **k):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(fake_models[0], "translate_batch", broken)
    r = client.post("/translate", json={"q": "Other.", "source": "en", "target": "ru"})
    assert r.status_code == 500 and r.json() == {"error": "internal error"}


def test_body_too_large(make_client):
    client = make_client(max_body_bytes=1000)
    r = client.post("/translate", json={"q": "x" * 2000, "source": "en", "target": "ru"})
    assert r.status_code == 413 and "error" in r.json()


def test_api_keys_and_rate_limit(make_client, tmp_path):
    from mt.serve.limits import read_api_keys

    keys = tmp_path / "keys.txt"
    keys.write_text("# keys\nfree\t2\npaid\n", encoding="utf-8")
    client = make_client(api_keys=read_api_keys(keys))
    body = {"q": "Hi.", "source": "en", "target": "ru"}
    assert client.post("/translate", json=body).status_code == 403
    assert client.post("/translate", json={**body, "api_key": "wrong"}).status_code == 403
    assert client.post("/translate", json={**body, "api_key": "free"}).status_code == 200
    assert client.post("/translate", data={**body, "api_key": "free"}).status_code == 200
    r = client.post("/translate", json={**body, "api_key": "free"})
    assert r.status_code == 429 and "rate limit" in r.json()["error"]
    for _ in range(5):
        assert client.post("/translate", json={**body, "api_key": "paid"}).status_code == 200
    assert client.get("/languages").status_code == 200  # no key needed to list


def test_api_key_file_errors(tmp_path):
    from mt.errors import UserError
    from mt.serve.limits import read_api_keys

    bad = tmp_path / "bad.txt"
    bad.write_text("key\tmany\n", encoding="utf-8")
    with pytest.raises(UserError, match="positive"):
        read_api_keys(bad)


def test_translate_file_txt_and_download(client):
    r = client.post(
        "/translate_file",
        data={"source": "en", "target": "ru"},
        files={"file": ("release.txt", b"Hello there.\n\nBye.\n", "text/plain")},
    )
    assert r.status_code == 200, r.text
    url = r.json()["translatedFileUrl"]
    assert url.endswith("-release.ru.txt")
    got = client.get(url)
    assert got.status_code == 200 and got.content == b"RU:HELLO THERE.\n\nRU:BYE.\n"
    r = client.post(
        "/translate_file",
        data={"source": "en", "target": "ru"},
        files={"file": ("x.pdf", b"%PDF", "application/pdf")},
    )
    assert r.status_code == 400 and "unsupported" in r.json()["error"]


def test_translate_file_docx(client):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("The talks went well.")
    buf = io.BytesIO()
    document.save(buf)
    r = client.post(
        "/translate_file",
        data={"source": "en", "target": "az"},
        files={"file": ("rel.docx", buf.getvalue())},
    )
    assert r.status_code == 200, r.text
    out = docx.Document(io.BytesIO(client.get(r.json()["translatedFileUrl"]).content))
    assert [p.text for p in out.paragraphs] == ["AZ:THE TALKS WENT WELL."]


def test_v1_align_score_qa(client):
    r = client.post(
        "/v1/align",
        json={"src_text": "Hello. World.", "tgt_text": "Привет. Мир.", "src": "en", "tgt": "ru"},
    )
    beads = r.json()["beads"]
    assert [(b["src"], b["tgt"]) for b in beads] == [([0], [0]), ([1], [1])]
    assert beads[0]["src_text"] == "Hello." and beads[0]["tgt_text"] == "Привет."
    assert 0 <= beads[0]["confidence"] <= 1
    r = client.post(
        "/v1/score",
        json={
            "hyps": ["the cat sat on the mat today"],
            "refs": ["the cat sat on the mat today"],
            "tgt": "en",
            "metrics": ["bleu", "chrf"],
        },
    )
    assert r.json()["bleu"]["score"] == pytest.approx(100.0)
    r = client.post(
        "/v1/qa",
        json={
            "src": ["On 12 March 2024."],
            "hyp": ["13 марта."],
            "src_lang": "en",
            "tgt_lang": "ru",
        },
    )
    assert {f["check"] for f in r.json()["findings"]} >= {"dates"}


def test_v1_search_reads_the_store(make_client, tmp_path):
    from mt.corpus.store import Store

    db = tmp_path / "s.sqlite"
    with Store.open(db) as store, store.transaction():
        store.add_rendering(
            "doc-1", "en", "The trilateral statement was signed.\n", origin="original"
        )
    client = make_client(db=db)
    r = client.post("/v1/search", json={"query": "trilateral", "lang": "en", "limit": 5})
    assert r.status_code == 200, r.text
    assert r.json()[0]["doc"] == "doc-1" and "[trilateral]" in r.json()[0]["text"].lower()
    missing = make_client(db=tmp_path / "none.sqlite")
    assert missing.post("/v1/search", json={"query": "x"}).status_code == 400


def test_health_and_docs(client):
    assert client.get("/health").json()["status"] == "ok"
    assert client.get("/docs").status_code == 200
    assert "/translate" in client.get("/openapi.json").json()["paths"]
    assert "review" in client.get("/").text.lower()


def test_review_endpoints_round_trip(make_client, tmp_path):
    from mt.corpus.store import Store

    db = tmp_path / "s.sqlite"
    Store.open(db).close()
    client = make_client(db=db)
    text = "The talks went well.\n\nThe meeting will take place in Geneva."
    draft = client.post(
        "/v1/review/draft", json={"text": text, "source": "en", "target": "ru"}
    ).json()
    rows = draft["sentences"]
    assert [r["translation"] for r in rows] == [
        "RU:THE TALKS WENT WELL.",
        "RU:THE MEETING WILL TAKE PLACE IN GENEVA.",
    ]
    rows[0]["translation"] = "Переговоры прошли хорошо."
    rows[1]["translation"] = "Встреча состоится в Женеве."
    for row in rows:
        row["approved"] = True
    done = client.post(
        "/v1/review/approve",
        json={
            "source": "en",
            "target": "ru",
            "doc_key": draft["doc_key"],
            "translator": "Aysel",
            "sentences": rows,
        },
    )
    assert done.status_code == 200, done.text
    with Store.open(db, readonly=True) as store:
        memory = store.translation_memory("en", "ru")
    assert memory["The talks went well."] == "Переговоры прошли хорошо."
    again = client.post(
        "/v1/review/draft", json={"text": "The talks went well.", "source": "en", "target": "ru"}
    ).json()
    assert again["sentences"][0] | {} == again["sentences"][0]
    assert again["sentences"][0]["translation"] == "Переговоры прошли хорошо."
    assert again["sentences"][0]["from_tm"] is True
    for fmt, check in [
        ("txt", lambda b: "Женеве" in b.decode()),
        ("xliff", lambda b: b"<target" in b),
        ("docx", lambda b: b[:2] == b"PK"),
    ]:
        r = client.post(
            "/v1/review/export",
            json={"source": "en", "target": "ru", "format": fmt, "sentences": rows},
        )
        assert r.status_code == 200 and check(r.content), fmt
    up = client.post("/v1/review/upload", files={"file": ("a.md", "# Заголовок\n".encode())})
    assert up.json() == {"text": "# Заголовок\n", "format": "markdown", "source": "ru"}


def test_review_draft_is_stored_and_approval_reports_hter(make_client, tmp_path):
    from mt.corpus.store import Store

    db = tmp_path / "s.sqlite"
    client = make_client(db=db)
    text = "The talks went well.\n\nThe meeting will take place in Geneva."
    draft = client.post("/v1/review/draft", json={"text": text, "source": "en", "target": "ru"})
    assert draft.status_code == 200, draft.text
    draft = draft.json()
    assert draft["stored"] is True
    with Store.open(db, readonly=True) as store:
        doc_id = store.document_id(draft["doc_key"])
        rid = store.latest_machine_rendering(doc_id, "ru")
        assert rid is not None
        assert store.sentences(draft["doc_key"], "ru", origin="machine") == [
            "RU:THE TALKS WENT WELL.",
            "RU:THE MEETING WILL TAKE PLACE IN GENEVA.",
        ]
    rows = draft["sentences"]
    rows[0]["translation"] = "RU:THE TALKS WENT WELL."  # kept as drafted
    rows[1]["translation"] = "Встреча состоится в Женеве."  # rewritten
    for row in rows:
        row["approved"] = True
    done = client.post(
        "/v1/review/approve",
        json={"source": "en", "target": "ru", "doc_key": draft["doc_key"], "sentences": rows},
    )
    assert done.status_code == 200, done.text
    done = done.json()
    # One sentence kept, one rewritten: some edits, not all of the words.
    assert done["hter"] is not None and 0 < done["hter"] < 100
    assert "HTER against the machine draft" in done["summary"]
    with Store.open(db, readonly=True) as store:
        # The approval reused the source the draft stored: one English rendering.
        assert len(store.rendering_hash(doc_id, "en")) == 1
        assert store.sentences(draft["doc_key"], "en") == [
            "The talks went well.",
            "The meeting will take place in Geneva.",
        ]


def test_review_draft_without_db_stores_nothing(client):
    r = client.post("/v1/review/draft", json={"text": "Hello.", "source": "en", "target": "ru"})
    assert r.status_code == 200 and r.json()["stored"] is False
    bad = client.post(
        "/v1/review/draft", json={"text": "Hi.", "source": "en", "target": "ru", "doc_key": 3}
    )
    assert bad.status_code == 400


XLIFF_12_UNTRANSLATED = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
 <file original="release.txt" source-language="en-US" target-language="ru" datatype="plaintext">
  <body>
   <trans-unit id="1"><source>The talks went <g id="b">well</g>.</source></trans-unit>
   <trans-unit id="2" translate="no"><source>INTERNAL NOTE</source></trans-unit>
   <trans-unit id="3"><source>The meeting will take place in Geneva.</source></trans-unit>
  </body>
 </file>
</xliff>
"""


def test_review_upload_untranslated_xliff(client):
    up = client.post(
        "/v1/review/upload",
        files={"file": ("release.xlf", XLIFF_12_UNTRANSLATED.encode())},
    )
    assert up.status_code == 200, up.text
    assert up.json() == {
        "text": "The talks went well.\n\nThe meeting will take place in Geneva.",
        "format": "text",
        "source": "en",
    }


def test_xliff_sources_reads_bytes_and_paths(tmp_path):
    from mt.errors import UserError
    from mt.translate.documents.reviewed import xliff_pairs, xliff_sources

    got = xliff_sources(XLIFF_12_UNTRANSLATED.encode())
    assert (got.src_lang, got.tgt_lang) == ("en", "ru")
    assert got.sources == ["The talks went well.", "The meeting will take place in Geneva."]
    path = tmp_path / "r.xlf"
    path.write_text(XLIFF_12_UNTRANSLATED, encoding="utf-8")
    assert xliff_sources(path).sources == got.sources
    with pytest.raises(UserError, match="no translated units"):
        xliff_pairs(path)
    with pytest.raises(UserError, match="empty file"):
        xliff_sources(b"")
