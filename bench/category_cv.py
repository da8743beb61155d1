#!/usr/bin/env python3
"""bench/category_cv.py: leave-one-corpus-out cross-validation of the
category model (rules/categories.model), to choose its threshold.

    python3 bench/category_cv.py [BUILD_DIR [RULES]]

For each corpus (tests/corpus/*.tsv, tests/data/dev.tsv) a model is trained
on the others, as scripts/train-model.sh -c trains the shipped one
(liblinear -s 0 -c 1 -B 1 on `backtalk features --classes
tip,referral,info,fallback`), and scores the messages of that corpus the
rules send to the fallback (the only ones it may answer).  The rules are
RULES (default rules/) with category_model left out, so that what the
shipped model answers is not counted as the rules'.  At each threshold a message whose
top class is not fallback and reaches the threshold gets the reply of the
class's rule (category_rules in rules/06-model.conf).  Prints, per threshold,
how many of those messages it fixes (not acceptable before, acceptable
after, by corpus_check's judgement: category accepted, a tip's topic when
the corpus names one) and breaks (the reverse), and how many labelled red
flags it answers instead of the fallback (neither before nor after
acceptable).  Needs the Python liblinear bindings (python3-liblinear)."""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, '/usr/lib/python3/dist-packages')
from liblinearutil import parameter, predict, problem, train  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'build')
RULES = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, 'rules')
BT = os.path.join(BUILD, 'daemon', 'backtalk')
CLASSES = ['tip', 'referral', 'info', 'fallback']
# The reply of each class: the category and topic of its rule.
ANSWER = {'tip': ('tip', 'recovery'), 'referral': ('referral', None),
          'info': ('info', None)}
THRESHOLDS = [0.4, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9]


def good(accept, topic, cat, got_topic):
    if cat not in accept:
        return False
    return cat != 'tip' or topic == '-' or topic == got_topic


def load(path):
    rows, date = [], None
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if line.startswith('# date:'):
            date = line.split(':', 1)[1].strip()
        if line.startswith('#') or not line.strip():
            continue
        r = line.split('\t')
        if len(r) >= 3:
            rows.append(r)
    text = ''.join(r[0] + '\t' + r[1] + '\t' + r[2] + '\n' for r in rows)
    feat = subprocess.run([BT, 'features'], input=text, capture_output=True,
                          text=True, check=True).stdout.splitlines()
    cmd = [BT, 'classify', '--rules', RULES]
    if date:
        cmd += ['--date', date]
    out = subprocess.run(cmd, input=''.join(r[2] + '\n' for r in rows),
                         capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert len(feat) == len(rows) == len(out), path
    s = []
    for r, fe, o in zip(rows, feat, out):
        x = {int(k.split(':')[0]): 1.0 for k in fe.split()[1:]}
        s.append((r[0].split(','), r[1], x, json.loads(o)))
    return s


def without_model(rules, tmp):
    """A copy of the rules directory without category_model and
    category_rules."""
    out = os.path.join(tmp, 'rules')
    shutil.copytree(rules, out)
    for name in os.listdir(out):
        if not name.endswith('.conf'):
            continue
        path = os.path.join(out, name)
        text = open(path, encoding='utf-8').read()
        if 'category_model' not in text:
            continue
        keep, skip = [], False
        for line in text.splitlines(True):
            if line.startswith('category_model') or \
                    line.startswith('category_rules'):
                skip = not line.rstrip().endswith(';')
                continue
            if skip:
                skip = not line.startswith('};')
                continue
            keep.append(line)
        open(path, 'w', encoding='utf-8').write(''.join(keep))
    return out


def main():
    global RULES
    tmp = tempfile.mkdtemp()
    try:
        RULES = without_model(RULES, tmp)
        run()
    finally:
        shutil.rmtree(tmp)


def run():
    files = sorted(glob.glob(os.path.join(ROOT, 'tests/corpus/*.tsv')))
    files.append(os.path.join(ROOT, 'tests/data/dev.tsv'))
    sets = [(os.path.basename(f), load(f)) for f in files]
    tot = {t: [0, 0, 0, 0] for t in THRESHOLDS}  # fixed broken red answered
    nfb = 0
    for i, (name, rows) in enumerate(sets):
        train_rows = [r for j, (_, s) in enumerate(sets) if j != i
                      for r in s if r[0][0] in CLASSES]
        m = train(problem([CLASSES.index(r[0][0]) for r in train_rows],
                          [r[2] for r in train_rows]),
                  parameter('-s 0 -c 1 -B 1 -q'))
        labels = m.get_labels()
        fb = [r for r in rows if r[3]['category'] == 'fallback']
        nfb += len(fb)
        if not fb:
            continue
        _, _, probs = predict([0] * len(fb), [r[2] for r in fb], m,
                              '-b 1 -q')
        for r, p in zip(fb, probs):
            k = max(range(len(p)), key=lambda j: p[j])
            cls = CLASSES[labels[k]]
            if cls == 'fallback':
                continue
            cat, topic = ANSWER[cls]
            before = good(r[0], r[1], 'fallback', None)
            after = good(r[0], r[1], cat, topic)
            red = all(a in ('emergency', 'urgent') for a in r[0])
            for t in THRESHOLDS:
                if p[k] < t:
                    continue
                tot[t][0] += after and not before
                tot[t][1] += before and not after
                tot[t][2] += red
                tot[t][3] += 1
    print('messages the rules send to the fallback: %d' % nfb)
    print('| threshold | answered | fixed | broken | red flags answered |')
    print('|---|---|---|---|---|')
    for t in THRESHOLDS:
        f, b, red, n = tot[t]
        print('| %.2f | %d | %d | %d | %d |' % (t, n, f, b, red))


if __name__ == '__main__':
    main()
