"""Hand-written wire stories for the StoryIndex tests, in the shape of the seed page."""

from __future__ import annotations

ISTANBUL = """\
The second round of Russia-Ukraine peace talks begins in Istanbul, Türkiye, on Monday, on the \
heels of a fresh wave of drone and missile strikes. Kiev has intensified drone attacks on Russian \
territory, targeting civilian infrastructure, trains, and military airfields, which Moscow claims \
are attempts to sabotage negotiations.

Just a day before the scheduled talks, two bridges collapsed in Russia's Bryansk and Kursk border \
regions, leading to at least seven deaths and dozens of injured. The incidents were caused by \
sabotage, according to Russia's Investigative Committee.

Later that same day, drones targeted military airfields in Murmansk Region in the country's north, \
in Ivanovo and Ryazan regions in western Russia, and in Irkutsk Region in Siberia. In response to \
Kiev's raids, Russia has launched several retaliatory strikes targeting Ukraine's defense industry \
facilities, as well as military assembly points and warehouses.

On Sunday afternoon, Russia's delegation, led by presidential aide Vladimir Medinsky, arrived in \
Istanbul. Ukraine's team for the meeting is headed by Defense Minister Rustem Umerov. According to \
Reuters, the delegation from Kiev will propose a 30-day ceasefire, prisoner exchanges (the "all \
for all" principle), and the return of Ukrainian children.

The previous round of Istanbul talks on May 16, the first since 2022, saw 1,000 prisoners \
exchanged per side. Both parties agreed to draft ceasefire proposals for today's discussion. Last \
week, Kremlin spokesman Dmitry Peskov said that Putin is open to holding high-level direct talks \
with Kiev, preceded by tangible progress in the current negotiations."""

BACKGROUND = """\
The conflict escalated in February 2022, when Moscow sent troops into Ukraine after years of \
fighting in the Donbass region. Western nations have since imposed sweeping sanctions on Russia \
and supplied Kiev with weapons, while several rounds of talks have failed to produce a lasting \
ceasefire agreement between the two sides."""

GRAIN = f"""\
Ukraine's grain exports through its Black Sea ports rose sharply in May, the agriculture ministry \
in Kiev said on Tuesday, as shipping companies returned to the corridor despite the risk of \
strikes on the port of Odessa.

Farmers shipped 4.2 million tonnes of wheat, corn and barley last month, up from 2.9 million \
tonnes in April, the ministry said in a statement, adding that most cargoes went to Egypt, Spain \
and China.

{BACKGROUND}

Traders in Geneva said insurance premiums for vessels calling at Ukrainian ports had fallen to \
about one percent of a cargo's value, the lowest level since the corridor opened, which made the \
route competitive again with exports through Romania."""

SANCTIONS = f"""\
The European Union agreed on Wednesday a new package of sanctions against Russian banks and \
shipping firms, diplomats in Brussels said, after Hungary and Slovakia dropped their objections \
to the measures late on Tuesday night.

The package targets 22 banks and about 150 tankers of the so-called shadow fleet that carries \
Russian oil past the price cap, as well as companies in third countries accused of supplying \
components for drones.

{BACKGROUND}

The Kremlin said the sanctions were illegal and would hurt European economies more than Russia's, \
and promised a response. Energy analysts said the measures could raise freight rates for oil \
cargoes leaving Baltic ports by as much as a fifth."""

MARKETS_MONDAY = """\
Mumbai (Maharashtra) [India], June 2 (ANI): Indian stock markets kicked off the fresh week on a \
negative note, weighed down by global cues. The Sensex fell 312.45 points or 0.38 per cent to \
81,138.99, while the Nifty 50 declined 91.20 points to 24,659.45 in early trade on Monday.

Among the top losers were Tata Motors, Infosys and Wipro, while Sun Pharma and Titan led the \
gainers, market data showed."""

MARKETS_TUESDAY = """\
Mumbai (Maharashtra) [India], June 3 (ANI): Indian stock markets kicked off the fresh week on a \
positive note, supported by global cues. The Sensex rose 208.17 points or 0.26 per cent to \
81,347.16, while the Nifty 50 advanced 57.35 points to 24,716.80 in early trade on Tuesday.

Among the top gainers were HDFC Bank, Reliance and Axis Bank, while ITC and Cipla led the \
losers, market data showed."""

PROMO = (
    "Get a daily dose of St Petersburg Star news through our daily email, its complimentary and "
    "keeps you fully up to date with world and business news as well."
)
