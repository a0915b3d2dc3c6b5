"""Demo theory items for 车工 (6-18-01-01) level 5, for ``manage.py demo_exam``.

Written for the demo standard's theory weight table (``catalog.demo``: 基本要求·职业道德,
基本要求·基础知识, 相关知识要求·工艺准备 / 工件加工 / 精度检验与误差分析). Hand-written items
come first; parametric families (cutting speed, spindle speed, tapers, pitches, limits of
size, vernier and micrometer readings) then vary real numbers with computed answers, so
the bank can grow without repeating a stem. Demo content, not an official item bank.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from skillcert.itembank.choices import ItemType

KEYS = "ABCDEF"

ETHICS = "基本要求·职业道德"
BASICS = "基本要求·基础知识"
PREPARATION = "相关知识要求·工艺准备"
MACHINING = "相关知识要求·工件加工"
INSPECTION = "相关知识要求·精度检验与误差分析"

# 鉴定点: code -> (knowledge area, name)
POINTS: dict[str, tuple[str, str]] = {
    "1.1.1": (ETHICS, "职业道德基本知识"),
    "1.1.2": (ETHICS, "车工职业守则"),
    "1.2.1": (BASICS, "机械识图"),
    "1.2.2": (BASICS, "极限与配合"),
    "1.2.3": (BASICS, "金属材料与热处理"),
    "1.2.4": (BASICS, "安全文明生产"),
    "2.1.1": (PREPARATION, "工艺文件与切削用量"),
    "2.1.2": (PREPARATION, "工件的定位与装夹"),
    "2.1.3": (PREPARATION, "车刀的选用与安装"),
    "2.1.4": (PREPARATION, "车床的润滑与日常保养"),
    "2.2.1": (MACHINING, "轴类零件车削"),
    "2.2.2": (MACHINING, "套类零件车削"),
    "2.2.3": (MACHINING, "圆锥面车削"),
    "2.2.4": (MACHINING, "三角形螺纹车削"),
    "2.2.5": (MACHINING, "切断与车槽"),
    "2.3.1": (INSPECTION, "常用量具的使用"),
    "2.3.2": (INSPECTION, "加工误差分析"),
}


@dataclass(frozen=True)
class Draft:
    """One demo item before it is given a difficulty."""

    point: str  # a POINTS code
    type: str
    stem: str
    options: tuple[str, ...] = ()
    answer: tuple[str, ...] = ()  # option keys, or ("T",) / ("F",)
    reference: str = ""


def _rotation(stem: str, size: int) -> int:
    """A stable pseudo-random offset, so the keyed option is not always A."""
    return hashlib.sha256(stem.encode("utf-8")).digest()[0] % size


def single(point: str, stem: str, right: str, *wrong: str) -> Draft:
    """A single choice written right answer first; the options are rotated."""
    texts = [right, *wrong]
    shift = _rotation(stem, len(texts))
    texts = texts[shift:] + texts[:shift]
    return Draft(point, ItemType.SINGLE, stem, tuple(texts), (KEYS[texts.index(right)],))


def multiple(point: str, stem: str, right: tuple[str, ...], wrong: tuple[str, ...]) -> Draft:
    texts = [*right, *wrong]
    shift = _rotation(stem, len(texts))
    texts = texts[shift:] + texts[:shift]
    keys = tuple(sorted(KEYS[texts.index(text)] for text in right))
    return Draft(point, ItemType.MULTIPLE, stem, tuple(texts), keys)


def true_false(point: str, stem: str, truth: bool) -> Draft:
    return Draft(point, ItemType.TRUE_FALSE, stem, answer=("T" if truth else "F",))


def short(point: str, stem: str, reference: str) -> Draft:
    return Draft(point, ItemType.SHORT_ANSWER, stem, reference=reference)


def num(value: float | Decimal, places: int = 3) -> str:
    """``2.5`` for 2.500, ``18`` for 18.0: rounded, without trailing zeros."""
    text = f"{Decimal(str(value)).quantize(Decimal(1).scaleb(-places)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# ---------------------------------------------------------------- hand-written items

S, M, T, A = ItemType.SINGLE, ItemType.MULTIPLE, ItemType.TRUE_FALSE, ItemType.SHORT_ANSWER

WRITTEN: dict[tuple[str, str], list[Draft]] = {
    (ETHICS, S): [
        single("1.1.1", "职业道德是从业人员在职业活动中应当遵循的（ ）的总和。",
               "行为规范", "操作规程", "技术标准", "工艺纪律"),
        single("1.1.2", "下列做法中，不符合车工职业守则的是（ ）。",
               "为赶进度简化工艺步骤", "遵守法律、法规和有关规定",
               "严格执行工艺文件和安全操作规程", "爱护设备及工具、夹具、刀具、量具"),
        single("1.1.1", "爱岗敬业的具体要求是（ ）。",
               "树立职业理想、强化职业责任、提高职业技能", "只做自己感兴趣的工作",
               "工作中以个人利益为先", "服从安排但不必钻研技术"),
        single("1.1.2", "加工中发现图样上的尺寸有疑问时，正确的做法是（ ）。",
               "及时向技术人员反映，确认后再加工", "按个人经验修改后加工",
               "按近似尺寸先加工出来", "交给下道工序处理"),
        single("1.1.1", "“诚实守信”在车工岗位上的体现是（ ）。",
               "如实填写检验记录，不隐瞒质量问题", "将个别不合格品混入合格品",
               "为赶进度少检少测", "随意填写工时记录"),
        single("1.1.1", "团结协作要求员工在工作中（ ）。",
               "互相学习、互相帮助", "只顾本工序的任务", "把问题推给下道工序",
               "拒绝与同事交流经验"),
        single("1.1.2", "每班工作结束后，车工应当（ ）。",
               "切断电源，清理机床，整理工、量具", "保持机床运转以便下一班使用",
               "把切屑留给下一班清理", "只把工件收走即可"),
        single("1.1.2", "车间内发现设备存在安全隐患时，应当（ ）。",
               "立即停机并报告有关人员", "继续生产到下班再说", "自行拆卸电气部分检查",
               "告诉同事但不必上报"),
    ],
    (ETHICS, T): [
        true_false("1.1.1", "职业道德只是对从业人员个人的要求，与企业效益无关。", False),
        true_false("1.1.2", "遵守劳动纪律是车工职业守则的基本要求之一。", True),
        true_false("1.1.2", "为了按时交货，零件可以不经检验直接转入下道工序。", False),
        true_false("1.1.2", "文明生产要求工作场地整洁，工件、工具摆放整齐。", True),
        true_false("1.1.1", "爱岗敬业就是要求从业人员终身只能从事一种工作。", False),
        true_false("1.1.1", "保守企业的技术秘密是从业人员应尽的义务。", True),
        true_false("1.1.1", "节约原材料、爱护设备是职业道德的具体体现。", True),
        true_false("1.1.2", "设备存在安全隐患但暂不影响生产时，可以不报告。", False),
    ],
    (BASICS, S): [
        single("1.2.1", "机械图样中，可见轮廓线用（ ）绘制。", "粗实线", "细实线", "细虚线",
               "细点画线"),
        single("1.2.1", "机械图样中，轴线和对称中心线用（ ）绘制。", "细点画线", "粗实线",
               "细虚线", "波浪线"),
        single("1.2.1", "三视图中，主视图与俯视图应（ ）。", "长对正", "高平齐", "宽相等",
               "高相等"),
        single("1.2.3", "45钢属于（ ）。", "优质碳素结构钢", "合金工具钢", "灰铸铁",
               "不锈钢"),
        single("1.2.3", "调质处理是指（ ）。", "淬火后高温回火", "淬火后低温回火",
               "退火后再正火", "渗碳后淬火"),
        single("1.2.3", "牌号HT200表示（ ）。", "最低抗拉强度为200 MPa的灰铸铁",
               "含碳量为2.00%的碳素钢", "硬度为200 HBW的球墨铸铁", "屈服强度为200 MPa的铸钢"),
        single("1.2.2", "基孔制配合中，基准孔的基本偏差代号为（ ）。", "H", "h", "G", "JS"),
        single("1.2.2", "表面粗糙度参数Ra值越小，表示零件表面（ ）。", "越光滑", "越粗糙",
               "硬度越高", "尺寸越大"),
        single("1.2.4", "车床电气部分发生故障时，应（ ）。", "切断电源并请电工修理",
               "自行拆开电气箱检修", "继续开车观察", "用湿布擦拭电器元件"),
    ],
    (BASICS, T): [
        true_false("1.2.1", "细虚线用于表达机件不可见的轮廓线。", True),
        true_false("1.2.2", "尺寸公差可以为零。", False),
        true_false("1.2.2", "间隙配合中，孔的公差带在轴的公差带之上。", True),
        true_false("1.2.3", "淬火的主要目的是降低钢的硬度、改善切削加工性能。", False),
        true_false("1.2.4", "车削时应戴手套操作，以免切屑划伤手。", False),
        true_false("1.2.3", "一般来说，金属材料的硬度越高，切削加工越容易。", False),
        true_false("1.2.1", "局部视图的断裂边界一般用波浪线表示。", True),
        true_false("1.2.3", "优质碳素结构钢牌号中的两位数字表示平均含碳量的万分数。", True),
    ],
    (BASICS, M): [
        multiple("1.2.3", "常用的硬度指标有（ ）。", ("布氏硬度HBW", "洛氏硬度HRC", "维氏硬度HV"),
                 ("抗拉强度Rm", "断后伸长率A")),
        multiple("1.2.2", "按孔、轴公差带的关系，配合分为（ ）。", ("间隙配合", "过渡配合",
                 "过盈配合"), ("自由配合", "基准配合")),
        multiple("1.2.4", "操作车床时，下列做法正确的有（ ）。", ("穿紧身工作服、扣紧袖口",
                 "长发塞入工作帽内", "戴防护眼镜"), ("戴手套操作", "用手直接清除切屑")),
        multiple("1.2.3", "钢的常规热处理方法有（ ）。", ("退火", "正火", "淬火", "回火"),
                 ("电镀", "喷漆")),
    ],
    (PREPARATION, S): [
        single("2.1.2", "车削细长轴时，为减小工件的弯曲变形，常采用（ ）。", "中心架或跟刀架",
               "四爪单动卡盘", "花盘", "角铁"),
        single("2.1.2", "三爪自定心卡盘装夹工件的特点是（ ）。", "能自动定心，装夹方便",
               "夹紧力最大，适合重切削", "最适合装夹形状不规则的工件", "需要逐个调整卡爪"),
        single("2.1.3", "W18Cr4V属于（ ）刀具材料。", "高速钢", "硬质合金", "陶瓷", "立方氮化硼"),
        single("2.1.3", "车削钢件时，一般选用（ ）硬质合金车刀。", "P类（YT类）", "K类（YG类）",
               "N类", "H类"),
        single("2.1.3", "在其他条件不变时，车刀前角增大，切削力（ ）。", "减小", "增大", "不变",
               "先增大后减小"),
        single("2.1.3", "车削台阶轴的外圆和台阶端面，常选用主偏角为（ ）的车刀。", "90°", "45°",
               "60°", "30°"),
        single("2.1.1", "粗车时选择切削用量的一般顺序是（ ）。",
               "先选大的背吃刀量，再选进给量，最后确定切削速度",
               "先选切削速度，再选进给量，最后选背吃刀量",
               "先选进给量，再选切削速度，最后选背吃刀量", "三者可以任意确定"),
        single("2.1.4", "每班开车前，对车床应首先（ ）。", "检查润滑并低速空运转",
               "直接高速切削以预热机床", "拆下卡盘清洗", "调整尾座位置"),
        single("2.1.1", "对工艺卡片规定的切削用量，操作者应（ ）。",
               "严格执行，确需调整时经工艺人员同意", "凭经验随意调整", "只参考不执行",
               "按最大值执行以提高效率"),
        single("2.1.2", "用两顶尖装夹工件车削时，需用（ ）带动工件旋转。", "鸡心夹头和拨盘",
               "中心架", "跟刀架", "尾座套筒"),
    ],
    (PREPARATION, T): [
        true_false("2.1.2", "四爪单动卡盘可以装夹形状不规则的工件。", True),
        true_false("2.1.3", "硬质合金车刀的耐热性比高速钢车刀差。", False),
        true_false("2.1.1", "精车时应选用较大的进给量以提高效率。", False),
        true_false("2.1.3", "安装车刀时，刀尖一般应与工件回转中心等高。", True),
        true_false("2.1.3", "车刀后角的主要作用是减小后刀面与工件之间的摩擦。", True),
        true_false("2.1.2", "采用一夹一顶装夹工件时，工件端面不需要钻中心孔。", False),
        true_false("2.1.4", "车床主轴箱的润滑油应定期检查油位并按期更换。", True),
        true_false("2.1.1", "切削液只有冷却作用，没有润滑作用。", False),
    ],
    (PREPARATION, M): [
        multiple("2.1.3", "车刀的主要角度有（ ）。", ("前角", "后角", "主偏角", "刃倾角"),
                 ("螺旋角", "分度角")),
        multiple("2.1.1", "车削中常用的切削液有（ ）。", ("乳化液", "切削油", "极压切削液"),
                 ("汽油", "盐水")),
        multiple("2.1.2", "车床上常用的工件装夹方法有（ ）。", ("三爪自定心卡盘装夹",
                 "四爪单动卡盘装夹", "两顶尖装夹", "一夹一顶装夹"), ("用手扶持",)),
        multiple("2.1.3", "影响刀具寿命的主要因素有（ ）。", ("切削速度", "工件材料", "刀具材料"),
                 ("机床外观颜色", "车间照明")),
    ],
    (MACHINING, S): [
        single("2.2.1", "车削外圆时，主运动是（ ）。", "工件的旋转运动", "车刀的纵向移动",
               "车刀的横向移动", "尾座的移动"),
        single("2.2.4", "车削普通螺纹时，螺纹车刀的刀尖角应为（ ）。", "60°", "55°", "30°", "29°"),
        single("2.2.3", "用转动小滑板法车削圆锥时，小滑板应转过的角度等于（ ）。", "圆锥半角",
               "圆锥角", "锥度值", "90°减去圆锥半角"),
        single("2.2.5", "切断时切断刀折断的主要原因之一是（ ）。", "进给量过大", "切削速度过低",
               "使用了切削液", "工件直径太小"),
        single("2.2.2", "车孔时，车孔刀的刀杆应（ ）。", "在条件允许时尽量粗而短",
               "尽量细而长", "越长越好", "与孔径无关"),
        single("2.2.2", "在实体材料上钻孔前，先用中心钻钻出中心孔，其主要目的是（ ）。",
               "定心，防止钻头偏斜", "提高孔的尺寸精度", "减小孔的表面粗糙度值", "便于排屑"),
        single("2.2.4", "车削螺纹时产生乱牙，常见原因是（ ）。",
               "丝杠螺距不是工件螺距的整数倍时中途抬起了开合螺母", "切削速度过低",
               "使用了切削液", "螺纹车刀刃磨过于锋利"),
        single("2.2.1", "用两顶尖车外圆出现锥度误差，可能的原因是（ ）。",
               "尾座轴线与主轴轴线不重合", "切削液加注过多", "车刀过于锋利",
               "主轴转速偏低"),
        single("2.2.1", "滚花时，一般应选择（ ）的切削速度。", "较低", "较高", "最高", "任意"),
        single("2.2.1", "车端面时车刀刀尖没有对准工件中心，端面中心会（ ）。", "留下凸台",
               "出现锥孔", "产生螺旋纹", "完全平整"),
    ],
    (MACHINING, T): [
        true_false("2.2.1", "车削时，工件的旋转是主运动，车刀的移动是进给运动。", True),
        true_false("2.2.4", "车螺纹时，主轴每转一转，车刀应准确地移动一个导程。", True),
        true_false("2.2.5", "切断刀伸出刀架的长度越长越好。", False),
        true_false("2.2.2", "车孔比车外圆更容易保证加工精度。", False),
        true_false("2.2.3", "偏移尾座法适合车削锥度较小、长度较长的外圆锥。", True),
        true_false("2.2.4", "多线螺纹的导程等于螺距乘以线数。", True),
        true_false("2.2.1", "车削过程中可以用手触摸旋转的工件检查表面粗糙度。", False),
        true_false("2.2.2", "标准麻花钻的顶角一般为118°。", True),
    ],
    (MACHINING, M): [
        multiple("2.2.4", "车削三角形螺纹常用的进刀方法有（ ）。", ("直进法", "左右切削法",
                 "斜进法"), ("跳跃进刀法", "快速退刀法")),
        multiple("2.2.3", "车床上车削圆锥的方法有（ ）。", ("转动小滑板法", "偏移尾座法",
                 "靠模法", "宽刃刀车削法"), ("滚花法",)),
        multiple("2.2.2", "车孔的关键技术是解决（ ）问题。", ("车孔刀的刚性", "排屑"),
                 ("工件重量", "机床颜色")),
        multiple("2.2.5", "切断时防止切断刀折断的措施有（ ）。", ("缩短刀头伸出长度",
                 "选择合适的进给量", "刀尖对准工件中心"), ("加大进给量", "提高切削速度到最高")),
        multiple("2.2.1", "造成车削表面粗糙度值偏大的原因有（ ）。", ("车刀磨损", "进给量过大",
                 "机床振动"), ("切削液浓度正常", "工件材料均匀")),
    ],
    (MACHINING, A): [
        short("2.2.4", "简述在卧式车床上车削普通外螺纹的主要步骤。",
              "①按螺距调整进给箱手柄和挂轮；②安装螺纹车刀，用样板对刀，刀尖与工件中心等高；"
              "③车出螺纹大径并倒角；④低速试切，检查螺距正确；⑤分多次进刀车削（直进法或"
              "左右切削法），每次进刀后用开合螺母或倒顺车退回；⑥用螺纹环规或螺纹千分尺检验。"),
        short("2.2.1", "车削细长轴时容易出现哪些问题？应采取哪些措施？",
              "问题：工件刚性差，易弯曲变形、振动，产生腰鼓形、竹节形和锥度，热变形伸长。"
              "措施：采用一夹一顶并使用跟刀架或中心架；尾座采用弹性回转顶尖；选用主偏角"
              "较大的车刀减小径向力；充分浇注切削液；采用反向进给车削；合理选择较小的背吃刀量。"),
        short("2.2.3", "简述转动小滑板法车削圆锥的特点。",
              "调整方便，能车削内、外圆锥和圆锥角较大的圆锥；受小滑板行程限制，只能车削"
              "较短的圆锥；只能手动进给，劳动强度较大，表面粗糙度较难控制。"),
        short("2.2.5", "切断实心工件时应注意哪些问题？",
              "切断刀刀尖应对准工件中心；刀头伸出长度尽量短；切断位置尽量靠近卡盘；"
              "进给量适当并保持均匀，接近中心时减小进给量；充分浇注切削液；"
              "一般不用两顶尖装夹切断。"),
    ],
    (INSPECTION, S): [
        single("2.3.1", "分度值为0.02 mm的游标卡尺，其游标上50格的总长与主尺上（ ）相等。",
               "49 mm", "50 mm", "19 mm", "9 mm"),
        single("2.3.1", "外径千分尺的分度值为（ ）。", "0.01 mm", "0.02 mm", "0.05 mm", "0.1 mm"),
        single("2.3.1", "用螺纹环规检验外螺纹，（ ）时螺纹合格。",
               "通规能旋合通过，止规旋入不超过两牙", "通规、止规都能旋合通过",
               "通规、止规都不能旋入", "止规能旋合通过"),
        single("2.3.1", "测量内孔直径可选用（ ）。", "内径百分表", "外径千分尺", "万能角度尺",
               "塞尺"),
        single("2.3.2", "车出的外圆产生圆度误差，可能的原因是（ ）。", "主轴轴承间隙过大",
               "车刀后角过大", "切削液过多", "工件材料太软"),
        single("2.3.2", "在两顶尖间测量工件径向圆跳动，常用的量具是（ ）。", "百分表",
               "钢直尺", "游标卡尺", "塞规"),
    ],
    (INSPECTION, T): [
        true_false("2.3.1", "千分尺使用前应校对零位。", True),
        true_false("2.3.1", "可以用游标卡尺测量正在旋转的工件。", False),
        true_false("2.3.1", "百分表可以用来测量工件的径向圆跳动。", True),
        true_false("2.3.1", "量具用完后应擦净，必要时涂防锈油后放入盒内。", True),
        true_false("2.3.1", "读数时，视线应垂直于量具的刻线表面。", True),
        true_false("2.3.2", "只要操作仔细，测量误差可以完全消除。", False),
    ],
    (INSPECTION, M): [
        multiple("2.3.2", "测量误差的来源包括（ ）。", ("量具本身的误差", "测量方法误差",
                 "环境温度的影响", "测量者的读数误差"), ("工件的颜色",)),
        multiple("2.3.2", "下列属于形状公差项目的有（ ）。", ("直线度", "圆度", "圆柱度"),
                 ("同轴度", "位置度")),
        multiple("2.3.1", "普通外螺纹的检测方法有（ ）。", ("螺纹环规综合检验", "三针测量中径",
                 "螺纹千分尺测量中径"), ("目测判断", "用钢直尺测中径")),
    ],
}  # fmt: skip

# ---------------------------------------------------------------- parametric families

# (nominal size, fit, upper deviation µm, lower deviation µm); deviations of GB/T 1800.2.
LIMITS: list[tuple[int, str, int, int]] = [
    (20, "f7", -20, -41), (25, "g6", -7, -20), (30, "h7", 0, -21), (40, "k6", 18, 2),
    (50, "js6", 8, -8), (36, "h8", 0, -39), (45, "f7", -25, -50), (60, "g6", -10, -29),
    (80, "h7", 0, -30), (32, "k6", 18, 2), (30, "H7", 21, 0), (40, "H8", 39, 0),
    (50, "H7", 25, 0), (25, "H7", 21, 0), (60, "H7", 30, 0),
]  # fmt: skip
COARSE_PITCH = {6: "1", 8: "1.25", 10: "1.5", 12: "1.75", 16: "2", 20: "2.5", 24: "3", 30: "3.5"}


def _mm(micrometres: int) -> str:
    """A deviation in mm with its sign: ``+0.018``, ``-0.020``, ``0``."""
    if micrometres == 0:
        return "0"
    return f"{micrometres / 1000:+.3f}"


def _limits(size: int, fit: str, es: int, ei: int) -> str:
    kind = "孔" if fit[0].isupper() else "轴"
    return f"{kind}Φ{size}{fit}（上极限偏差{_mm(es)}，下极限偏差{_mm(ei)}）"


def _choice(point: str, stem: str, right: str, wrong: Iterable[str]) -> Draft | None:
    """A single choice of computed values; ``None`` when two options read the same."""
    options = [right, *wrong]
    return single(point, stem, *options) if len(set(options)) == len(options) else None


def tolerance_items() -> Iterator[Draft | None]:
    for size, fit, es, ei in LIMITS:
        label = _limits(size, fit, es, ei)
        tolerance = (es - ei) / 1000
        yield _choice(
            "1.2.2",
            f"{label}的尺寸公差为（ ）mm。",
            num(tolerance),
            [num(tolerance / 2, 4), num(tolerance * 2), num(tolerance * 10)],
        )
        upper, lower = size + es / 1000, size + ei / 1000
        yield _choice(
            "1.2.2",
            f"{label}的上极限尺寸为（ ）mm。",
            num(upper),
            [num(lower), num(upper + 0.01), num(upper - 0.01)],
        )


def tolerance_statements() -> Iterator[Draft | None]:
    for n, (size, fit, es, ei) in enumerate(LIMITS):
        lower = size + ei / 1000
        truth = n % 2 == 0
        stated = lower if truth else size + es / 1000
        yield true_false(
            "1.2.2", f"{_limits(size, fit, es, ei)}的下极限尺寸为{num(stated)} mm。", truth
        )


def cutting_speed_items() -> Iterator[Draft | None]:
    for d, n in itertools.product((32, 40, 50, 60, 80, 100), (320, 400, 500, 630, 800)):
        v = math.pi * d * n / 1000
        yield _choice(
            "2.2.1",
            f"在车床上车削直径为{d} mm的外圆，主轴转速为{n} r/min，切削速度约为（ ）m/min。",
            num(v, 1),
            [num(v / 2, 1), num(d * n / 1000, 1), num(v * 10, 1)],
        )


def spindle_speed_items() -> Iterator[Draft | None]:
    for d, v in itertools.product((30, 40, 50, 60, 80), (80, 100, 120, 150)):
        n = 1000 * v / (math.pi * d)
        yield _choice(
            "2.2.1",
            f"用硬质合金车刀车削直径为{d} mm的45钢外圆，选定切削速度为{v} m/min，"
            f"主轴转速约为（ ）r/min。",
            num(n, 0),
            [num(2 * n, 0), num(1000 * v / d, 0), num(n / 2, 0)],
        )


def depth_of_cut_items() -> Iterator[Draft | None]:
    for big, cut in itertools.product((40, 45, 50, 55, 60), (1, 2, 3, 4, 5)):
        small = big - cut
        yield _choice(
            "2.2.1",
            f"车削外圆时，工件直径由Φ{big} mm一次进给车至Φ{small} mm，背吃刀量为（ ）mm。",
            num(cut / 2),
            [num(cut), num(cut / 4), num(cut / 2 + 0.5)],
        )


def taper_items() -> Iterator[Draft | None]:
    for k, big, length in itertools.product((5, 10, 20), (30, 40, 50), (40, 50, 60)):
        yield _choice(
            "2.2.3",
            f"车削锥度C=1:{k}的外圆锥，大端直径为{big} mm，圆锥长度为{length} mm，"
            f"小端直径应为（ ）mm。",
            num(big - length / k),
            [num(big - length / (2 * k)), num(big - 2 * length / k), num(big + length / k)],
        )


def pitch_items() -> Iterator[Draft | None]:
    pitches = list(COARSE_PITCH.values())
    for n, (size, pitch) in enumerate(COARSE_PITCH.items()):
        others = [p for p in pitches if p != pitch]
        wrong = [others[(n + step) % len(others)] for step in (0, 2, 4)]
        yield _choice("2.2.4", f"普通粗牙螺纹M{size}的螺距为（ ）mm。", pitch, wrong)


def lead_statements() -> Iterator[Draft | None]:
    for n, (starts, pitch) in enumerate(itertools.product((2, 3), (1.5, 2, 3))):
        truth = n % 2 == 0
        lead = starts * pitch if truth else pitch
        yield true_false(
            "2.2.4", f"螺距为{num(pitch)} mm的{starts}线螺纹，其导程为{num(lead)} mm。", truth
        )


def cutting_speed_statements() -> Iterator[Draft | None]:
    for n, (d, rpm) in enumerate(itertools.product((32, 40, 50, 60, 80), (400, 500, 630, 800))):
        truth = n % 2 == 1
        v = math.pi * d * rpm / 1000 if truth else d * rpm / 1000
        yield true_false(
            "2.2.1",
            f"车削直径为{d} mm的外圆，主轴转速为{rpm} r/min时，切削速度约为{num(v, 1)} m/min。",
            truth,
        )


def passes_items() -> Iterator[Draft | None]:
    for big, allowance, passes in itertools.product((45, 50, 55, 60, 65), (6, 12, 18), (3, 4)):
        small = big - allowance
        yield _choice(
            "2.1.1",
            f"将Φ{big} mm的棒料粗车至Φ{small} mm，分{passes}次进给等量切除余量，"
            f"每次的背吃刀量为（ ）mm。",
            num(allowance / (2 * passes)),
            [num(allowance / passes), num(allowance / 2), num(allowance / (4 * passes))],
        )


def allowance_statements() -> Iterator[Draft | None]:
    for n, (big, cut) in enumerate(itertools.product(range(40, 85, 5), (2, 3, 4, 5))):
        truth = n % 2 == 0
        stated = cut / 2 if truth else cut
        yield true_false(
            "2.1.1",
            f"毛坯直径为Φ{big} mm，车至Φ{big - cut} mm，其单边加工余量为{num(stated)} mm。",
            truth,
        )


def vernier_items() -> Iterator[Draft | None]:
    for main, line in itertools.product((12, 23, 36, 48, 55), (7, 13, 18, 24, 31, 42)):
        value = main + 0.02 * line
        yield _choice(
            "2.3.1",
            f"用分度值为0.02 mm的游标卡尺测量，游标零线在主尺{main} mm与{main + 1} mm刻线之间，"
            f"游标第{line}条刻线与主尺刻线对齐，读数为（ ）mm。",
            num(value, 2),
            [
                num(main + 0.01 * line, 2),
                num(main + 1 + 0.02 * line, 2),
                num(main + 0.002 * line, 3),
            ],
        )


def micrometer_items() -> Iterator[Draft | None]:
    sleeves = ("8.5", "12", "19.5", "25", "30.5", "42")
    for sleeve, line in itertools.product(sleeves, (6, 14, 23, 38, 47)):
        base, step = Decimal(sleeve), Decimal("0.01")
        yield _choice(
            "2.3.1",
            f"外径千分尺固定套管上露出的读数为{sleeve} mm，微分筒第{line}格与固定套管基准线"
            f"对齐，测得尺寸为（ ）mm。",
            num(base + step * line, 2),
            [num(base + step / 10 * line), num(base + 50 * step + step * line, 2),
             num(base + 10 * step * line, 2)],
        )  # fmt: skip


VERDICTS = ("合格", "超差，尺寸偏大", "超差，尺寸偏小", "无法判断")


def conformity_items() -> Iterator[Draft | None]:
    for size, fit, es, ei in LIMITS:
        for verdict, measured in (
            (0, size + (es + ei) / 2000),
            (1, size + (es + 5) / 1000),
            (2, size + (ei - 5) / 1000),
        ):
            right = VERDICTS[verdict]
            yield single(
                "2.3.2",
                f"图样要求{_limits(size, fit, es, ei)}，实测尺寸为{num(measured)} mm，"
                f"该尺寸（ ）。",
                right,
                *[v for v in VERDICTS if v != right],
            )


def vernier_statements() -> Iterator[Draft | None]:
    for n, (main, line) in enumerate(itertools.product((15, 27, 34, 46), (9, 16, 25, 33))):
        truth = n % 2 == 0
        value = main + (0.02 if truth else 0.01) * line
        yield true_false(
            "2.3.1",
            f"分度值为0.02 mm的游标卡尺，主尺读数为{main} mm，游标第{line}条刻线与主尺刻线对齐，"
            f"测量值为{num(value, 2)} mm。",
            truth,
        )


FAMILIES: dict[tuple[str, str], list[Callable[[], Iterator[Draft | None]]]] = {
    (BASICS, S): [tolerance_items],
    (BASICS, T): [tolerance_statements],
    (PREPARATION, S): [passes_items],
    (PREPARATION, T): [allowance_statements],
    (MACHINING, S): [
        cutting_speed_items, spindle_speed_items, taper_items, pitch_items, depth_of_cut_items
    ],
    (MACHINING, T): [lead_statements, cutting_speed_statements],
    (INSPECTION, S): [vernier_items, micrometer_items, conformity_items],
    (INSPECTION, T): [vernier_statements],
}  # fmt: skip


def drafts(area: str, item_type: str) -> Iterator[Draft]:
    """Every demo item of one knowledge area and type: written ones first, then the
    families taking turns, so a small bank mixes calculations of several kinds."""
    yield from WRITTEN.get((area, item_type), [])
    families = [family() for family in FAMILIES.get((area, item_type), [])]
    for row in itertools.zip_longest(*families):
        yield from (draft for draft in row if draft is not None)
