"""Byte-pair encoding of free-text fields (a URI, a DNS query, a user agent, a syslog message), trained with `tokenizers`.

src/tokenizer/text-bpe.ts applies the saved tokenizer.json in TypeScript and must give the same ids and pieces; the
golden parity test runs this file's `encode`:
    python models/text_bpe.py train --texts TEXTS.jsonl --vocab-size 512 --out tokenizer.json
    python models/text_bpe.py encode --tokenizer tokenizer.json --texts TEXTS.jsonl --out OUT.json
TEXTS.jsonl holds one JSON string per line (a JSON string can carry tabs and newlines a plain line could not).
`encode` writes {"ids": [[...], ...], "tokens": [[...], ...]}, one list per text.
"""
import argparse
import json
import sys

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

# Pieces must recur to be worth a merge: one seen once in training is as good as unknown to the sequence model.
MIN_FREQUENCY = 2


def read_texts(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def train(texts, vocab_size):
    """Byte-level BPE: the 256 byte symbols are the base alphabet, so no text has an unknown character.

    The byte-level pre-tokenizer splits at letter / digit / punctuation boundaries first (GPT-2's rule), so a piece
    never spans `/` or `.`: `/admin/login.php` gives pieces of `admin`, `login` and `php`, each nameable on its own.
    """
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=MIN_FREQUENCY,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=[],
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer, length=len(texts))
    return tok


def main():
    p = argparse.ArgumentParser(description="Train or apply the byte-pair encoding of a free-text field.")
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--texts", required=True)
    t.add_argument("--vocab-size", type=int, required=True)
    t.add_argument("--out", required=True)
    e = sub.add_parser("encode")
    e.add_argument("--tokenizer", required=True)
    e.add_argument("--texts", required=True)
    e.add_argument("--out", required=True)
    args = p.parse_args()

    texts = read_texts(args.texts)
    if args.cmd == "train":
        if not texts:
            sys.stderr.write(f"text_bpe.py: {args.texts} holds no text to learn merges from\n")
            sys.exit(2)
        tok = train(texts, args.vocab_size)
        tok.save(args.out)
        sys.stdout.write(json.dumps({"type": "bpe-trained", "vocab_size": tok.get_vocab_size(), "texts": len(texts)}) + "\n")
        return
    tok = Tokenizer.from_file(args.tokenizer)
    encoded = tok.encode_batch(texts, add_special_tokens=False)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump({"ids": [x.ids for x in encoded], "tokens": [x.tokens for x in encoded]}, fh, ensure_ascii=False)


if __name__ == "__main__":
    main()
