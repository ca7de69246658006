"""Word lists from the grammar of Chinese official reports, shared by the extraction rules.

Kept as data in one place so that a new report type means new words here, not new code.
"""

import re

SENTENCE_END = "。！？!?"
CLAUSE_BREAK = "，,；;：:。！？!?（）()\n"
LIST_BREAK = "、"

CHANGE_UP = "增长|增加|提高|上升|上涨|增产|扩大|回升|提升|增收|加快|攀升|增|涨|升|多"
CHANGE_DOWN = "下降|减少|降低|回落|下跌|减产|减收|下滑|放缓|收缩|精简|压降|降|减|跌|少"
NARROWED = "收窄|缩小"
# The verb right before a number that makes it a change (增长8%), not a level (降到5.5%).
CHANGE_VERB_RE = re.compile(rf"(?<!新)(?P<verb>{CHANGE_UP}|{CHANGE_DOWN}|{NARROWED}|净增|净减少|压减|压缩)了?(?:约|近|超过|超|逾|不到|不足)?$")
DOWN_RE = re.compile(rf"^(?:{CHANGE_DOWN}|{NARROWED}|净减少|压减|压缩)$")

MOM_RE = re.compile(r"环比|比上月|较上月|比上季度?|较上季度?")
YOY_RE = re.compile(r"同比|比上年同期|比去年同期|比上年|比去年|较上年|较去年|比同期|较同期|上年同期|与上年相比|比前一年")
OTHER_BASIS_RE = re.compile(r"[比较](?!上年|去年|同期|上月|上季|重|例|率|值)[^，。；]{1,10}?(?:提高|降低|加快|回落|增加|减少|高|低|快|慢|上升|下降|收窄|扩大|持平)")
FULL_YEAR_BASIS_RE = re.compile(r"[比较](?:上年|去年)全年")
# 高于全国0.5个百分点 / 快于全省平均: compared with another figure, not with last year.
ABOVE_OTHER_RE = re.compile(r"(?:高于|低于|快于|慢于|超过|超出|领先)(?:全国|全省|全市|全区|全县|平均|同期|预期|目标)[^，。；]{0,6}$")
CONTRIBUTION_RE = re.compile(
    r"(?P<dir>正向|负向)?(?:拉动|带动|贡献|推动)(?P<what>[^，。；]{0,16}?)(?:(?:增长|提高|上升|下降)|(?<=[^增长提高上升下降])$)")

NEW_RE = re.compile(r"新增|新建成?|新入选|新获批|新获评|新入围|新认定|新开工|新设立?|新登记|新引进|新培育|新开通|新落地|新签约|扩容|新招录|新发放")
# A share or rate stated as a level: 比重为28.5%, 覆盖率达73%.
SHARE_RE = re.compile(r"(?:比重|占比|比例|率|份额)(?:分别)?(?:为|是|达到?|提高到|提升到|提高至|保持在|稳定在|控制在)?"
                      r"(?:约|近|超过|超|不低于|不少于|不高于|不超过|低于|高于)?$")
# Adjectives inside a noun that make a count new: 37家新升规企业.
NEW_NOUN_RE = re.compile(r"^(?:新升规|新入规|新注册|新登记|新设立)")
CUMULATIVE_RE = re.compile(r"累计(?!浓度|降水|值|平均)|累积|总数达|总量达|共计|合计|总计|总共")
ESTIMATE_RE = re.compile(r"预计|初步核算|初步统计|预估|估计|预期完成")
# Words that make a figure a goal wherever they stand.
TARGET_RE = re.compile(r"目标(?:是|为)|预期目标|主要目标|预期(?:增长|达到|为)|力争")
# Verbs of intent: a goal in a plan, but in a review of the year 积极争取…资金266.5亿元 is what was won.
PLAN_VERB_RE = re.compile(
    r"争取|确保[^，。；]{0,12}(?:达到|实现|完成|增长)|计划(?:到|在|于|完成|新增|实现|投资|建设|安排)|拟|将达到|要达到|将新增|"
    r"将完成|将实现"
)

QUALIFIER_RE = re.compile(
    r"同口径|可比口径|剔除[^，。；（）]{1,10}?因素|扣除[^，。；（）]{1,12}?(?:因素|影响|后)|实际(?=增长|下降)|按可比价格计算|按现价计算|"
    r"按不变价格计算|现价|可比价|(?:月均|日均|年均)(?=增长|下降|增加|减少|提高|上涨|环比|同比|分别|[0-9０-９约近超])|平均每年|连年|每年"
)

# Words that are scope, time or stance, not part of what is measured: deleted from subjects.
SCOPE_WORDS = re.compile(
    r"(?:(?:19|20)\d{2}年(?:以来|底|末|初)?|\d{1,2}[-—至到]\d{1,2}月(?:份)?|\d{1,2}月(?:份|末|底)?|"
    r"今年以来|今年|去年|上年|全年|上半年|下半年|前三季度|首季度?|一季度|二季度|三季度|四季度|第[一二三四]季度|"
    r"年末|年底|年初|截至|截止|目前|当年|同期|过去五年|五年来|近五年|十四五期间|(?:过去|近)?[二三四五六七八九十]年(?:来|间)?(?![级期度代])|"
    r"预计|初步核算|初步统计|其中|全区|全市|全省|全县|全国|我国|我市|我区|我省|全域|区内|市内|"
    r"主要预期目标|预期目标|目标|力争|确保|争取|计划|预期)"
)
# Light verbs that only introduce a quantity (实现…, 完成…, 达到…): deleted from subjects.
LIGHT_VERBS = re.compile(
    r"实现了?|完成了?|达到了?|累计|新增|共计|合计|总计|共有|拥有|引育|培育|推进|扩容|发放|增至|增加到|提高到|提高至|"
    r"建成(?!区)|新建|"
    r"提升到|提升至|降至|降到|下降到|下降至|控制在|保持在|稳定在|为|是|有|达到"
)
_FUNCTION = "在|为|向|于|由|将|把|使|让|与|和|及|以及|并|并且|而|且|其中|另外|此外|同时|通过|其|已经|已"
LEADING_FUNCTION = re.compile(rf"^(?:{_FUNCTION})")
# A subject made of nothing but function words names nothing that was measured (checks/meaning.py).
FUNCTION_WORDS_ONLY = re.compile(
    rf"^(?:{_FUNCTION}|的|了|着|等|之|这|那|该|此|各|每|均|共|总|约|达|是|有|分别|其他|其它|以上|以下|左右|相关|有关)+$")
# Approximation words are not part of what is measured: 惠及约6700万人, 超过5.2亿人次.
APPROX_WORDS = re.compile(r"^(?:约|近|超过|逾|大约|将近|接近|以上|左右|、)|(?:约|近|超过|超|逾|大约|将近|接近|以上|左右|多|余|分别|达|不少于|不低于|不超过|不高于|不到|不足|低于|高于)$")
# Before a number, 突破 means "passed" (进出口总额突破1万亿元); after a count it is a noun (关键技术突破).
PASSED_BEFORE_NUMBER = re.compile(r"突破$")
BASIS_WORDS = re.compile(rf"(?:{YOY_RE.pattern}|{MOM_RE.pattern}|月均|日均|年均|同口径|可比口径)+$")

# Verbs that end a noun phrase after a count (6家企业入驻, 7家医院开设发热门诊).
VERBS = (
    "纳入|开设|入驻|落地|进展|获评|获得|实现|增收|参与|参加|提供|开工|竣工|建成|投产|签约|立项|落户|上市|就业|"
    "完成|覆盖|支持|贡献|享受|受益|入选|列入|荣获|获批|推广|通过|达到|达|惠及|带动|吸纳|投入|使用|运营|开展|"
    "承担|接受|得到|成为|列为|认定为|评为|被评为|收到|办理|新增|增长|下降|增加|减少|提高|降低|发生|出现|启动|完工|"
    "助力|留住|吸引|细化|拨付|认定|承接|引进|培养|救助|资助|帮助|组织|举办|培训|安置|转移|解决|帮扶"
)
VERB_RE = re.compile(VERBS)
# Outcome verbs that read naturally before their noun: 落地项目, 入驻企业, 签约项目.
RESULT_VERBS = {"落地", "入驻", "开工", "竣工", "投产", "签约", "落户", "上市", "获批", "完工", "启动"}
LOCATIVE_START = re.compile(r"^(?:区内|市内|省内|全国|全省|全市|全区|在|于|实现|分别)")
LIST_CONNECTORS = re.compile(r"以及|和|与|及|或")
# Words too generic to stand alone: prefixed with the subject they refer to (增速 -> GDP增速).
GENERIC_SUBJECTS = re.compile(r"^(?:增速|增幅|降幅|涨幅|跌幅|增长率|比重|占比|总量|规模|增量|总额|速度|水平|份额)$")
# A head noun standing alone after a list item that named its whole (规模以上工业企业达7.6万家、增加值增长3%;
# 粮食播种面积3320万亩、产量1285万吨): it takes the item's modifier (规模以上工业, 粮食).
ELLIPTIC_HEADS = re.compile(r"^(?:增加值|总产量|产量|总产值|产值|营业收入|营收|利润总额|利润|出口额|进口额|销售额)$")
WHOLE_HEADS = re.compile(r"(?:播种面积|种植面积|企业|面积)$")
# A rate of change stated as a level: 居民消费价格涨幅3%左右 is a change of 3 %.
RATE_OF_CHANGE_RE = re.compile(r"(?P<kind>涨幅|增幅|增速|增长率|降幅|跌幅)(?:为|是|达到?|控制在|保持在|在)?(?:约|近|超过)?$")
# 是全国平均水平的1.2倍: a multiple of another quantity, a ratio.
MULTIPLE_OF_RE = re.compile(r"(?:是|为|相当于)[^，。；]{0,16}的$")
# 实现1.5%的正增长: the change verb comes after the number.
CHANGE_AFTER_RE = re.compile(r"^的(?P<dir>正|负)?(?P<verb>增长|下降|增幅|降幅|涨幅)")
APPROX_START = re.compile(r"^(?:以上|以下|左右|以内|上下|之上|之内)")
CONSEQUENCE_START = re.compile(r"^[，,](?:带动|拉动|推动|促进|撬动|吸引)")
