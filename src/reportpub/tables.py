"""The tables of a package, in the order they are written, with their titles and descriptions in
Chinese and English: one list for the builder, the checks, the portal and CKAN."""

TABLES = ("reports", "paragraphs", "facts", "units", "indicator_codes")

# table -> (title zh, title en, description zh, description en)
ABOUT = {
    "facts": ("数量事实", "Facts", "数量事实：每行一个数字及其主语、指标、单位、时期和在原文中的位置",
              "Quantitative facts: one number per row with its subject, measure, unit, period and place "
              "in the source text"),
    "paragraphs": ("原文段落", "Paragraphs", "段落：报告原文逐段", "Paragraphs: the report text, one paragraph per row"),
    "reports": ("报告", "Reports", "报告：来源文件、发布机关及其 sha256", "Reports: source file, publisher and its sha256"),
    "units": ("单位代码表", "Units", "单位代码表：单位、基本单位与换算系数",
              "Unit code list: unit, base unit and conversion factor"),
    "indicator_codes": ("指标代码表", "Indicator codes", "指标代码表：跨报告统一的指标代码、名称、别名与英文名",
                        "Indicator code list: one code per measure across reports, with names, aliases and English labels"),
}
