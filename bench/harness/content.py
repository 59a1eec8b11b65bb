"""Deterministic, realistic article content: Chinese and English news text with markup.

`article_html(rng, size)` gives a clean body of about `size` bytes (what a well-behaved
outlet sends); `dirty_html(rng, size)` adds what the sanitiser must remove (scripts,
event handlers, `javascript:` links, hidden spam). `push_article` and `rss_document`
shape them as the push API and an outlet's RSS 2.0 feed carry them.
"""

import random
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from xml.sax.saxutils import escape

ZH_SENTENCES = [
    "自治州各级党组织坚持把抓基层、打基础作为长远之计和固本之举。",
    "今年以来，全州共新建村级活动场所一百二十余个，覆盖率达到百分之九十八。",
    "记者在木垒县采访时了解到，当地通过“党支部+合作社+农户”模式带动群众增收。",
    "市场监管部门近日开展专项检查，重点整治食品安全和价格违法行为。",
    "据气象台预报，受冷空气影响，未来三天全州大部地区将出现降温降雪天气。",
    "该项目总投资约三点五亿元，建成后预计每年可处理生活垃圾十万吨。",
    "教育局负责人表示，将进一步推进城乡义务教育一体化发展，缩小校际差距。",
    "在乡村振兴战略的推动下，越来越多的年轻人选择回乡创业。",
    "截至六月底，全市规模以上工业增加值同比增长百分之七点二。",
    "文化馆组织的非遗展演活动吸引了大批市民和游客前来观看。",
]
EN_SENTENCES = [
    "The prefecture's party committee announced a new round of rural revitalisation projects on Monday.",
    "Officials said the programme would create about 3,000 jobs over the next two years.",
    "Local farmers have formed cooperatives to sell produce directly to city supermarkets.",
    "The weather bureau warned of snow and strong winds across the northern counties.",
    "According to the statistics bureau, retail sales grew 6.8% year on year in the first half.",
    "Residents welcomed the new bus routes, which link three townships to the county seat.",
    "The museum's exhibition of traditional embroidery runs until the end of October.",
    "Experts at the forum discussed how small outlets can reach readers on mobile devices.",
]
AUTHORS = ["郑丽媛", "王小明", "李娜", "Zhang Wei", "Chen Jing", "刘洋", "Maria Li"]


# Common characters and words, drawn at random so that bodies compress like real text
# (about 3× with gzip), not like a few sentences repeated.
ZH_CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而"
    "方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好"
    "应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向"
    "道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特"
    "件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队"
    "南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清美再采转更单风切"
    "打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步"
    "群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习"
    "响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层"
    "片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞州乡镇村街企项投融环旅游医疗卫健康援疆昌吉"
)
ZH_PUNCT = "，，，、；"
EN_WORDS = (
    "the of and to in a is that for on with as was by at from it an be are this have has new said will "
    "county prefecture government party committee officials residents farmers village township city market "
    "project investment million billion yuan percent growth year month week report reporters local rural "
    "development education health hospital school students teachers weather snow wind rain road bridge "
    "railway water electricity industry factory company workers jobs income tourism culture museum festival "
    "exhibition police safety food price inspection campaign programme policy reform plan construction "
    "housing environment pollution forest grassland livestock cotton wheat harvest exports trade retail "
    "online mobile readers outlet newspaper television broadcast announced according statistics bureau "
    "increase decrease compared previous first second third quarter half annual record highest lowest "
    "experts forum meeting conference discussed agreed signed launched opened completed began continued"
).split()


def _zh_sentence(rng):
    chars = []
    for _ in range(rng.randint(2, 4)):
        chars.append("".join(rng.choice(ZH_CHARS) for _ in range(rng.randint(6, 16))))
    return rng.choice(ZH_PUNCT).join(chars) + "。"


def _en_sentence(rng):
    words = [rng.choice(EN_WORDS) for _ in range(rng.randint(8, 20))]
    if rng.random() < 0.3:
        words.insert(rng.randint(0, len(words)), f"{rng.randint(2, 9999):,}")
    return " ".join(words).capitalize() + ". "


def _sentence(rng):
    """Mostly fresh text, a quarter stock phrases: gzip then saves what it saves on news."""
    chinese = rng.random() < 0.7
    if rng.random() < 0.25:
        return rng.choice(ZH_SENTENCES if chinese else EN_SENTENCES)
    return _zh_sentence(rng) if chinese else _en_sentence(rng)


def _paragraph(rng):
    """One paragraph of mixed Chinese and English sentences, with some inline markup."""
    parts = []
    for _ in range(rng.randint(3, 6)):
        sentence = _sentence(rng)
        roll = rng.random()
        if roll < 0.1:
            sentence = f"<strong>{sentence}</strong>"
        elif roll < 0.18:
            sentence = f'<a href="https://www.cjxww.cn/news/{rng.randint(1000, 99999)}.html">{sentence}</a>'
        elif roll < 0.22:
            sentence = f"<em>{sentence}</em>"
        parts.append(sentence)
    return "<p>" + "".join(parts) + "</p>"


def _block(rng):
    """A paragraph, or now and then a heading, list, quote or figure."""
    roll = rng.random()
    if roll < 0.07:
        return f"<h2>{_zh_sentence(rng)[:14]}</h2>"
    if roll < 0.12:
        items = "".join(f"<li>{_sentence(rng)}</li>" for _ in range(3))
        return f"<ul>{items}</ul>"
    if roll < 0.16:
        return f"<blockquote><p>{_en_sentence(rng)}</p></blockquote>"
    if roll < 0.20:
        n = rng.randint(1, 9999)
        return (f'<figure><img src="https://img.cjxww.cn/2018/06/{n}.jpg" alt="{_zh_sentence(rng)[:10]}">'
                f"<figcaption>{_zh_sentence(rng)[:20]}</figcaption></figure>")
    return _paragraph(rng)


def article_html(rng, size):
    """A clean article body of at least `size` bytes (UTF-8)."""
    blocks, length = [], 0
    while length < size:
        block = _block(rng)
        blocks.append(block)
        length += len(block.encode())
    return "\n".join(blocks)


def _dirt(rng):
    """Something an outlet's compromised or careless CMS leaves in a body."""
    return rng.choice([
        "<script>document.write('<img src=//ad.example/p.gif>')</script>",
        '<p onclick="track(this)">点击查看更多相关报道。</p>',
        '<p><a href="javascript:void(window.open(\'https://ad.example\'))">免费领取</a></p>',
        '<div style="display:none">cheap pills casino 博彩 代开发票 https://spam.example</div>',
        '<iframe src="https://ad.example/frame"></iframe>',
        '<img src="https://img.example/x.jpg" onerror="steal()">',
    ])


def dirty_html(rng, size):
    """An article body of about `size` bytes with sanitiser work mixed in."""
    blocks = article_html(rng, size).split("\n")
    for _ in range(rng.randint(1, 3)):
        blocks.insert(rng.randint(0, len(blocks)), _dirt(rng))
    return "\n".join(blocks)


def title(rng, n):
    return f"{rng.choice(ZH_SENTENCES)[:10]}{_zh_sentence(rng)[:8]} ({n})"


def published_at(n):
    """A distinct publication time for article `n`, in the past."""
    base = datetime(2024, 6, 1, tzinfo=timezone.utc)
    return base + timedelta(minutes=7 * n)


def push_article(n, column, *, size_range=(1000, 5000), dirty=False, url_prefix="https://www.cjxww.cn/p"):
    """Article `n` as `POST /api/v1/articles` takes it (same `n` → same article)."""
    rng = random.Random(n)
    size = rng.randint(*size_range)
    body = dirty_html(rng, size) if dirty else article_html(rng, size)
    return {
        "original_url": f"{url_prefix}/{n}.html",
        "title": title(rng, n),
        "author": rng.choice(AUTHORS),
        "summary": _zh_sentence(rng) + _en_sentence(rng),
        "content_html": body,
        "original_published_at": published_at(n).isoformat().replace("+00:00", "Z"),
        "columns": [column],
    }


def rss_document(feed_url, link_prefix, first, count, *, size_range=(1000, 5000)):
    """An RSS 2.0 document of `count` items numbered from `first`, 1–5 KB descriptions."""
    items = []
    for n in range(first, first + count):
        rng = random.Random(n)
        link = f"{link_prefix}/{n}.html"
        items.append(
            "<item>"
            f"<title>{escape(title(rng, n))}</title>"
            f"<link>{escape(link)}</link>"
            f'<guid isPermaLink="true">{escape(link)}</guid>'
            f"<author>news@cjxww.cn ({rng.choice(AUTHORS)})</author>"
            f"<pubDate>{format_datetime(published_at(n))}</pubDate>"
            f"<description>{escape(dirty_html(rng, rng.randint(*size_range)))}</description>"
            "</item>\n"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>昌吉日报 bench</title><link>{escape(link_prefix)}/</link>"
        f"<description>bench feed {escape(feed_url)}</description><language>zh-CN</language>\n"
        + "".join(items)
        + "</channel></rss>\n"
    )
