"""Deterministic, realistic article content: Chinese and English news text with markup.

`article_html(rng, size)` gives a clean body of about `size` bytes (what a well-behaved
outlet sends); `dirty_html(rng, size)` adds what the sanitiser must remove (scripts,
event handlers, `javascript:` links, hidden spam). `push_article` and `rss_document`
shape them as the push API and an outlet's RSS 2.0 feed carry them.
"""

import itertools
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


# News words, most frequent first. Sentences are drawn from a vocabulary of these and
# many more made-up words (`NEWS_VOCABULARY`) with Zipf weights, so they read like news to an
# index: a few words in most articles, most words in few; text of random characters or
# of a few hundred words does not.
ZH_WORDS = """
发展 工作 建设 群众 推进 党 全州 企业 项目 服务 实施 加强 提升 开展 乡村 经济 社会 改革 管理 创新
组织 基层 干部 政府 部门 市场 文化 教育 安全 产业 农民 农村 城市 生态 环境 旅游 健康 医疗 就业 增收
振兴 合作社 党支部 党组织 党员 村民 农业 种植 养殖 棉花 小麦 畜牧 牧民 草原 林业 水利 交通 公路 铁路
投资 资金 增长 同比 亿元 万元 百分之 全年 上半年 今年 近日 记者 采访 了解到 表示 介绍 据悉 目前 下一步
自治州 昌吉 木垒 奇台 吉木萨尔 阜康 呼图壁 玛纳斯 乌鲁木齐 新疆 天山 准噶尔 县 市 乡 镇 村 街道 社区 居民
学校 学生 教师 医院 医生 患者 疫情 防控 检查 整治 食品 价格 监管 执法 法治 宣传 学习 培训 会议 座谈
领导 书记 县长 主任 委员会 人民 代表 政协 委员 调研 指导 督查 落实 部署 要求 强调 指出 坚持 推动 促进
高质量 现代化 一体化 数字化 信息化 智慧 平台 网络 数据 科技 人才 技能 创业 青年 妇女 老人 儿童 家庭 生活
幸福 美好 民生 保障 住房 供暖 供水 用电 天然气 垃圾 污水 绿化 植树 防沙 治沙 气象 降雪 降温 大风 预报
文化馆 非遗 展演 演出 比赛 运动会 赛事 马拉松 游客 景区 民宿 美食 特产 电商 直播 销售 订单 物流 出口
团结 民族 交往 交流 交融 稳定 安全生产 应急 消防 救援 志愿者 服务队 慰问 帮扶 结对 脱贫 巩固 成果 衔接
项目建设 招商引资 营商环境 产业园 工业园区 规模以上 增加值 零售 消费 收入 财政 税收 金融 贷款 保险 银行
土地 耕地 水资源 节水 灌溉 滴灌 机械化 良种 丰收 收割 播种 春耕 秋收 冬季 夏季 春季 秋季 年底 月底
标准 质量 品牌 特色 优势 重点 难点 问题 措施 办法 方案 政策 制度 机制 体系 能力 水平 作用 效果 成效
""".split()
ZH_RARE_CHARS = (
    "犇淼焱垚鑫森磊晶赟昶旻昱晟晔暄暐曦炜烨熠璟瑾璐琦琨瑜瑶璇瓒甄畇皓睿砚祎祺禛穹竑笙筠箐篪"
    "粲紫綦缇翀翎翊羲耘聿臻舜芃芮苒苡茗荃莘菁萱蓁蔚蕙薇蘅虞蜚衍袆裴觐訸誉谌谧豫贇赜跃轩逸邈"
    "郅醇钰铠锦镕雎霁霏靖韫颉颢飏馥骁骞骥鲲鸾鹍麒黛鼐龢岚峥崧嵘巍弈彧徵忻怿恪悦惇愫慜懿戬"
    "攸敉斐旸昀昕昊昇晞暾曜朗杭枫柘栩桢楠槿橦檀欣歆毓沅泓洵浚涵渊湉溥滢潇澄濯瀚炅烜焜煜燊"
)


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


STOCK_SENTENCES = ZH_SENTENCES + EN_SENTENCES
MADE_UP_WORDS = 50_000


def _news_vocabulary():
    """ZH_WORDS spread over the first few thousand ranks (word k at about (k + 1)^1.6),
    made-up words of two or three characters (from ZH_CHARS) around and after them."""
    rng = random.Random(7)
    made_up = ["".join(rng.choice(ZH_CHARS) for _ in range(rng.choice((2, 2, 3)))) for _ in range(MADE_UP_WORDS)]
    vocabulary = [None] * (len(made_up) + len(ZH_WORDS))
    for k, word in enumerate(ZH_WORDS):
        rank = round((k + 1) ** 1.6) - 1
        while vocabulary[rank] is not None:
            rank += 1
        vocabulary[rank] = word
    rest = iter(made_up)
    return [word if word is not None else next(rest) for word in vocabulary]


NEWS_VOCABULARY = _news_vocabulary()
_ZIPF = list(itertools.accumulate(1 / rank for rank in range(1, len(NEWS_VOCABULARY) + 1)))
ZH_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
ZH_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力斌波宁欣晨雪琳颖婷海鹏飞浩宇晓东春梅兰云峰"


def person_name(rng):
    """A Chinese personal name: a surname and one or two given-name characters."""
    given = "".join(rng.choice(ZH_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(ZH_SURNAMES) + given


def news_sentence(rng):
    """A Chinese sentence of news vocabulary (Zipf-weighted), now and then a name or a
    run of characters no dictionary holds; or an English sentence."""
    if rng.random() < 0.25:
        return _en_sentence(rng)
    clauses = []
    for _ in range(rng.randint(1, 3)):
        words = rng.choices(NEWS_VOCABULARY, cum_weights=_ZIPF, k=rng.randint(3, 8))
        if rng.random() < 0.3:
            words.insert(rng.randint(0, len(words)), person_name(rng))
        if rng.random() < 0.2:
            words.insert(rng.randint(0, len(words)), "".join(rng.choice(ZH_CHARS) for _ in range(rng.randint(2, 4))))
        clauses.append("".join(w + ("的" if rng.random() < 0.15 else "") for w in words))
    return rng.choice(ZH_PUNCT).join(clauses) + "。"


def news_block(rng, size):
    """One block of about `size` bytes of a news body: a paragraph (now and then a list
    or a quote) of news sentences, stock sentences and some inline markup."""
    sentences, length = [], 0
    while length < size:
        sentence = rng.choice(STOCK_SENTENCES) if rng.random() < 0.02 else news_sentence(rng)
        roll = rng.random()
        if roll < 0.06:
            sentence = f"<strong>{sentence}</strong>"
        elif roll < 0.1:
            sentence = f'<a href="https://www.cjxww.cn/news/{rng.randint(1000, 99999)}.html">{sentence}</a>'
        sentences.append(sentence)
        length += len(sentence.encode())
    roll = rng.random()
    if roll < 0.05:
        return "<ul>" + "".join(f"<li>{s}</li>" for s in sentences) + "</ul>"
    if roll < 0.08:
        return "<blockquote><p>" + "".join(sentences) + "</p></blockquote>"
    return "<p>" + "".join(sentences) + "</p>"


def headline_part(rng):
    """Half a headline: a few news words, sometimes a name or a place."""
    words = rng.choices(NEWS_VOCABULARY, cum_weights=_ZIPF, k=rng.randint(2, 4))
    if rng.random() < 0.2:
        words.insert(0, person_name(rng))
    return "".join(words)


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
