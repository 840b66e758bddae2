"""Data tables of the demo: names of many cultures, nicknames, companies, schools and titles."""

from __future__ import annotations

from dataclasses import dataclass


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in text.replace("\n", ",").split(",") if word.strip())


@dataclass(frozen=True, slots=True)
class Culture:
    """Where a person's name comes from, and the time zone such a person most likely works in."""

    code: str
    weight: float
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    zone: str


CULTURES: tuple[Culture, ...] = (
    Culture(
        "en",
        0.34,
        _words("""
        Robert, William, Elizabeth, Katherine, James, John, Michael, David, Richard, Joseph,
        Thomas, Charles, Christopher, Daniel, Matthew, Anthony, Andrew, Joshua, Steven, Kenneth,
        Edward, Jonathan, Nicholas, Benjamin, Samuel, Alexander, Patrick, Timothy, Gregory,
        Jeffrey, Raymond, Peter, Douglas, Henry, Zachary, Theodore, Frederick, Lawrence, Ronald,
        Donald, Gerald, Albert, Philip, Stephen, Leonard, Vincent, Francis, Mary, Patricia,
        Jennifer, Barbara, Susan, Jessica, Sarah, Margaret, Nancy, Dorothy, Rebecca, Victoria,
        Deborah, Samantha, Christina, Abigail, Alexandra, Jacqueline, Kimberly, Emily, Emma,
        Olivia, Sophia, Amanda, Melissa, Michelle, Stephanie, Nicole, Ashley, Hannah, Megan,
        Rachel, Laura, Chloe, Grace, Lucy, Madison, Cynthia, Judith, Ryan, Tyler, Kevin, Brian,
        Jason, Eric, Scott, Mark, Paul, Gary, Sean, Liam, Noah, Ethan, Logan, Owen, Zoe, Claire
        """),
        _words("""
        Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Anderson, Taylor, Thomas,
        Moore, Jackson, White, Harris, Martin, Thompson, Clark, Lewis, Robinson, Walker, Young,
        Allen, King, Wright, Scott, Hill, Green, Adams, Baker, Nelson, Carter, Mitchell, Roberts,
        Turner, Phillips, Campbell, Parker, Evans, Edwards, Collins, Stewart, Morris, Murphy,
        Cook, Rogers, Morgan, Cooper, Peterson, Reed, Bailey, Bell, Kelly, Howard, Ward, Cox,
        Richardson, Wood, Watson, Brooks, Bennett, Gray, Hughes, Price, Sanders, Myers, Long,
        Ross, Foster, Powell, Jenkins, Perry, Russell, Sullivan, Fisher, Henderson, Coleman,
        Patterson, Jordan, Reynolds, Hamilton, Graham, Wallace, O'Brien, O'Connor, McDonald,
        MacLeod, Fitzgerald, Harrington, Whitfield, Ashworth, Pemberton, Blackwood, Holloway
        """),
        "America/New_York",
    ),
    Culture(
        "de",
        0.09,
        _words("""
        Jürgen, Günther, Johannes, Wolfgang, Friedrich, Matthias, Stefan, Andreas, Klaus, Dieter,
        Uwe, Jörg, Tobias, Sebastian, Maximilian, Lukas, Felix, Christoph, Florian, Moritz, Ralf,
        Bernd, Hans-Peter, Katharina, Ursula, Susanne, Sabine, Birgit, Anja, Jana, Lena, Leonie,
        Heike, Monika, Petra, Gisela, Helga, Franziska, Christiane, Annegret, Dörte, Bärbel
        """),
        _words("""
        Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann,
        Schäfer, Koch, Bauer, Richter, Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann,
        Braun, Krüger, Hofmann, Hartmann, Lange, Schmitt, Werner, Krause, Meier, Lehmann,
        Köhler, Herrmann, König, Walter, Huber, Kaiser, Fuchs, Scholz, Möller, Weiß, Jung,
        Hahn, Vogel, Keller, Günther, Berger, Winkler, Roth, Lorenz, Baumann, Albrecht,
        Schuster, Böhm, Krämer, Vogt, Jäger, Groß, Seidel, Brandt, Haas, Graf, von Arnim,
        von Stein, von der Heyde, Oßwald, Dürr
        """),
        "Europe/Berlin",
    ),
    Culture(
        "fr",
        0.06,
        _words("""
        Jean, Pierre, Louis, François, Émile, Étienne, Hélène, Amélie, Benoît, Céline, Chloé,
        Clément, Élodie, Jérôme, Léa, Manon, Mathieu, Nathalie, Océane, Sébastien, Thérèse,
        Aurélien, Camille, Didier, Frédéric, Guillaume, Isabelle, Julien, Laurent, Marie,
        Olivier, Philippe, Sylvie, Thierry, Valérie, Yannick, Anaïs, Gaëlle, Noémie, Loïc
        """),
        _words("""
        Martin, Bernard, Dubois, Robert, Richard, Petit, Durand, Leroy, Moreau, Simon, Laurent,
        Lefèvre, Michel, David, Bertrand, Roux, Vincent, Fournier, Morel, Girard, André,
        Lefebvre, Mercier, Dupont, Lambert, Bonnet, François, Legrand, Garnier, Faure, Rousseau,
        Blanc, Guérin, Henry, Roussel, Perrin, Morin, Mathieu, Clément, Gauthier, Dumont,
        Fontaine, Chevalier, Robin, de Villiers, Le Gall, Le Goff, de la Fontaine, Bérenger
        """),
        "Europe/Paris",
    ),
    Culture(
        "es",
        0.08,
        _words("""
        José, Francisco, Alejandro, Javier, Manuel, Jesús, Guillermo, Ignacio, Enrique, Antonio,
        Andrés, Sergio, Pablo, Diego, Raúl, Óscar, Ramón, Adrián, Íñigo, Carmen, María, Lucía,
        Sofía, Martina, Paula, Valentina, Camila, Ximena, Guadalupe, Dolores, Concepción,
        Rosario, Mercedes, Begoña, Marta, Elena, Nuria, Pilar, Inés, Mónica, Verónica
        """),
        _words("""
        García, Fernández, González, Rodríguez, López, Martínez, Sánchez, Pérez, Gómez, Martín,
        Jiménez, Ruiz, Hernández, Díaz, Moreno, Muñoz, Álvarez, Romero, Alonso, Gutiérrez,
        Navarro, Torres, Domínguez, Vázquez, Ramos, Gil, Ramírez, Serrano, Blanco, Molina,
        Morales, Suárez, Ortega, Delgado, Castro, Ortiz, Rubio, Marín, Sanz, Núñez, Nuñez,
        Iglesias, Medina, Garrido, Cortés, Castillo, Santos, Lozano, Guerrero, Cano, Prieto,
        Méndez, Cruz, Calvo, Vidal, León, Herrera, Peña, Flores, de la Cruz, de la Fuente,
        del Río, García López, Fernández Díaz, Ibáñez
        """),
        "Europe/Madrid",
    ),
    Culture(
        "nl",
        0.04,
        _words("""
        Jan, Pieter, Johannes, Willem, Hendrik, Cornelis, Gerrit, Dirk, Bram, Daan, Sander,
        Joost, Ruud, Maarten, Sjoerd, Thijs, Bas, Koen, Femke, Anouk, Sanne, Lotte, Eline,
        Marieke, Ingrid, Wilhelmina, Margriet, Anneke, Sophie, Fleur, Esther, Annemarie
        """),
        _words("""
        de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Janssen, Visser, Smit, Meijer,
        de Boer, Mulder, de Groot, Bos, Vos, Peters, Hendriks, van Leeuwen, Dekker, Brouwer,
        de Wit, Dijkstra, Smits, de Graaf, van der Meer, van der Linden, Kok, Jacobs, de Haan,
        Vermeulen, van den Heuvel, van der Veen, van den Broek, de Bruijn, van der Heijden,
        Schouten, van Beek, Willems, van Vliet, van de Ven, Hoekstra, Maas, Verhoeven, Koster,
        van Dam, van der Wal, Prins, Blom, Huisman, van Wijk, Kuipers
        """),
        "Europe/Amsterdam",
    ),
    Culture(
        "it",
        0.05,
        _words("""
        Giuseppe, Giovanni, Francesco, Alessandro, Antonio, Roberto, Stefano, Marco, Andrea,
        Luca, Matteo, Lorenzo, Riccardo, Davide, Federico, Niccolò, Simone, Giorgio, Paolo,
        Massimo, Salvatore, Domenico, Vincenzo, Giulia, Francesca, Chiara, Sara, Alessia, Elisa,
        Federica, Silvia, Beatrice, Caterina, Giuseppina, Maddalena
        """),
        _words("""
        Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Bruno,
        Gallo, Conti, De Luca, Mancini, Costa, Giordano, Rizzo, Lombardi, Moretti, Barbieri,
        Fontana, Santoro, Mariani, Rinaldi, Caruso, Ferrara, Galli, Martini, Leone, Longo,
        Gentile, Martinelli, Vitale, Serra, Coppola, De Santis, D'Angelo, Marchetti, Parisi,
        Villa, Conte, Ferraro, Fabbri, Marini, Grasso, Valentini, Messina, Sala, De Rosa,
        Gatti, Pellegrini, Palumbo, Farina, Monti, Cattaneo, Morelli, Amato, Di Stefano, Niccolì
        """),
        "Europe/Rome",
    ),
    Culture(
        "pt",
        0.05,
        _words("""
        João, José, António, Antônio, Francisco, Carlos, Paulo, Pedro, Lucas, Luiz, Marcos,
        Luís, Gabriel, Rafael, Marcelo, Bruno, Eduardo, Felipe, Rodrigo, Gonçalo, Tiago, Maria,
        Ana, Adriana, Juliana, Márcia, Fernanda, Patrícia, Aline, Camila, Bruna, Jéssica,
        Letícia, Júlia, Luciana, Vanessa, Mariana, Beatriz, Inês, Conceição
        """),
        _words("""
        Silva, Santos, Oliveira, Souza, Rodrigues, Ferreira, Alves, Pereira, Lima, Gomes, Costa,
        Ribeiro, Martins, Carvalho, Almeida, Lopes, Soares, Fernandes, Vieira, Barbosa, Rocha,
        Dias, Nascimento, Andrade, Moreira, Nunes, Marques, Machado, Mendes, Freitas, Cardoso,
        Gonçalves, Teixeira, Araújo, Magalhães, Simões, Brandão, Sousa, Figueiredo, da Silva,
        dos Santos, de Oliveira, da Costa, Pinto, Monteiro, Azevedo, Cavalcanti, Conceição
        """),
        "America/Sao_Paulo",
    ),
    Culture(
        "in",
        0.1,
        _words("""
        Aarav, Vivaan, Aditya, Arjun, Rahul, Rohan, Vikram, Sanjay, Rajesh, Suresh, Ramesh,
        Anil, Sunil, Amit, Ajay, Vijay, Deepak, Manoj, Rakesh, Pradeep, Karthik, Venkatesh,
        Srinivas, Naveen, Abhishek, Priya, Ananya, Diya, Isha, Kavya, Lakshmi, Meera, Neha,
        Pooja, Riya, Sneha, Sunita, Anjali, Divya, Shreya, Swati, Aishwarya, Nandini, Deepika,
        Harpreet, Gurpreet, Manpreet
        """),
        _words("""
        Sharma, Verma, Gupta, Patel, Singh, Kumar, Reddy, Rao, Iyer, Nair, Menon, Pillai, Mehta,
        Shah, Joshi, Desai, Kulkarni, Chatterjee, Banerjee, Mukherjee, Das, Bose, Sen, Ghosh,
        Agarwal, Bhat, Chopra, Kapoor, Malhotra, Khanna, Saxena, Srivastava, Mishra, Pandey,
        Tiwari, Yadav, Chauhan, Jain, Naidu, Krishnan, Subramanian, Venkataraman, Ramakrishnan,
        Gill, Sandhu, Dhillon, Arora, Bhatia, Sethi, Trivedi
        """),
        "Asia/Kolkata",
    ),
    Culture(
        "zh",
        0.07,
        _words("""
        Wei, Fang, Na, Min, Jing, Li, Jun, Yan, Hui, Lei, Yang, Jie, Tao, Ming, Chao, Xiaoming,
        Xiaoling, Yifan, Zihan, Haoran, Yuxuan, Jiahui, Shuang, Qiang, Ping, Hong, Lin, Xin,
        Ying, Mei, Lan, Bo, Feng, Gang, Hao, Kai, Rui, Tingting, Wenjun, Zhiwei, Jianhua,
        Kevin, Grace, Jason, Vivian
        """),
        _words("""
        Wang, Li, Zhang, Liu, Chen, Yang, Huang, Zhao, Wu, Zhou, Xu, Sun, Ma, Zhu, Hu, Guo, He,
        Gao, Lin, Luo, Zheng, Liang, Xie, Song, Tang, Han, Feng, Deng, Cao, Peng, Zeng, Xiao,
        Tian, Dong, Pan, Yuan, Cai, Jiang, Yu, Du, Ye, Cheng, Su, Lü, Ding, Ren, Lu, Yao, Shen,
        Chan, Wong, Cheung, Leung, Lau, Ng, Ho, Tsang
        """),
        "Asia/Shanghai",
    ),
    Culture(
        "ja",
        0.04,
        _words("""
        Haruto, Yuto, Sota, Yuki, Hiroshi, Takashi, Kenji, Satoshi, Daisuke, Kazuki, Ryota,
        Shōta, Takumi, Naoki, Kenta, Tomohiro, Akira, Makoto, Yusuke, Kōji, Yui, Aoi, Hina,
        Sakura, Yuna, Haruka, Misaki, Ayaka, Nanami, Yōko, Keiko, Akiko, Naoko, Tomoko, Emi,
        Mai, Rina, Kaori, Megumi, Yūko
        """),
        _words("""
        Sato, Suzuki, Takahashi, Tanaka, Watanabe, Ito, Yamamoto, Nakamura, Kobayashi, Kato,
        Yoshida, Yamada, Sasaki, Yamaguchi, Matsumoto, Inoue, Kimura, Hayashi, Shimizu,
        Yamazaki, Mori, Abe, Ikeda, Hashimoto, Yamashita, Ishikawa, Nakajima, Maeda, Fujita,
        Ogawa, Okada, Hasegawa, Murakami, Kondo, Ishii, Sakamoto, Endo, Aoki, Fujii, Nishimura,
        Fukuda, Miura, Fujiwara, Okamoto, Matsuda, Nakagawa, Harada, Tamura, Takeuchi, Wada,
        Andō, Ōno, Ōta, Saitō, Itō, Katō, Gotō
        """),
        "Asia/Tokyo",
    ),
    Culture(
        "ng",
        0.04,
        _words("""
        Chinedu, Chukwuemeka, Oluwaseun, Oluwatobi, Adebayo, Olumide, Babatunde, Olusegun,
        Ngozi, Chiamaka, Nkechi, Adaeze, Funmilayo, Folasade, Oluwakemi, Temitope, Ifeoma,
        Uchenna, Ikechukwu, Abubakar, Ibrahim, Musa, Aisha, Fatima, Zainab, Yusuf, Usman,
        Blessing, Chidi, Obinna, Kelechi, Amina, Halima, Nnamdi, Tochukwu, Damilola, Yetunde
        """),
        _words("""
        Okafor, Okonkwo, Adeyemi, Adebayo, Ogunleye, Okeke, Eze, Nwosu, Obi, Chukwu, Ibrahim,
        Abubakar, Bello, Mohammed, Musa, Adewale, Balogun, Olawale, Oyelaran, Akinola, Afolabi,
        Ogundipe, Nwachukwu, Okoro, Okoye, Nnadi, Igwe, Anyanwu, Oladipo, Olaniyan, Fashola,
        Ojo, Adeleke, Oyewole, Danjuma, Lawal, Sani, Garba, Aliyu, Yakubu
        """),
        "Africa/Lagos",
    ),
    Culture(
        "nordic",
        0.04,
        _words("""
        Øyvind, Åsa, Björn, Søren, Jørgen, Mikkel, Lars, Anders, Nils, Erik, Magnus, Henrik,
        Kjell, Sven, Ole, Sigrid, Ingrid, Astrid, Maja, Freja, Linnéa, Karin, Solveig,
        Ragnhild, Åse, Liv, Kari, Torbjørn, Håkon, Pål
        """),
        _words("""
        Hansen, Johansen, Olsen, Larsen, Andersen, Pedersen, Nilsen, Kristiansen, Jensen,
        Karlsen, Pettersen, Eriksen, Berg, Haugen, Hagen, Dahl, Jørgensen, Halvorsen, Lund,
        Sørensen, Jakobsen, Moen, Iversen, Strand, Solberg, Eide, Bakken, Lie, Nygård,
        Bjørnstad, Lindqvist, Svensson, Johansson, Karlsson, Nilsson, Eriksson, Larsson,
        Andersson, Lindström, Åberg, Öberg, Ström, Sjöberg
        """),
        "Europe/Oslo",
    ),
)

# Formal first name -> the short forms people go by (the matcher must see Bob as Robert).
NICKNAMES: dict[str, tuple[str, ...]] = {
    name: _words(short)
    for name, short in (
        ("Robert", "Bob, Rob, Bobby, Robbie"),
        ("William", "Bill, Will, Billy"),
        ("Elizabeth", "Liz, Beth, Betsy, Eliza, Lizzie"),
        ("Katherine", "Kate, Katie, Kathy, Kat"),
        ("James", "Jim, Jimmy, Jamie"),
        ("John", "Johnny, Jack"),
        ("Michael", "Mike, Mikey"),
        ("David", "Dave"),
        ("Richard", "Rick, Rich, Dick, Richie"),
        ("Joseph", "Joe, Joey"),
        ("Thomas", "Tom, Tommy"),
        ("Charles", "Charlie, Chuck"),
        ("Christopher", "Chris"),
        ("Daniel", "Dan, Danny"),
        ("Matthew", "Matt"),
        ("Anthony", "Tony"),
        ("Andrew", "Andy, Drew"),
        ("Joshua", "Josh"),
        ("Steven", "Steve"),
        ("Stephen", "Steve"),
        ("Kenneth", "Ken, Kenny"),
        ("Edward", "Ed, Eddie, Ted, Ned"),
        ("Jonathan", "Jon"),
        ("Nicholas", "Nick, Nicky"),
        ("Benjamin", "Ben, Benny"),
        ("Samuel", "Sam, Sammy"),
        ("Alexander", "Alex, Xander"),
        ("Patrick", "Pat, Paddy"),
        ("Timothy", "Tim"),
        ("Gregory", "Greg"),
        ("Jeffrey", "Jeff"),
        ("Raymond", "Ray"),
        ("Peter", "Pete"),
        ("Douglas", "Doug"),
        ("Henry", "Hank, Harry"),
        ("Zachary", "Zach, Zack"),
        ("Theodore", "Ted, Teddy, Theo"),
        ("Frederick", "Fred, Freddie"),
        ("Lawrence", "Larry"),
        ("Ronald", "Ron, Ronnie"),
        ("Donald", "Don, Donnie"),
        ("Gerald", "Gerry, Jerry"),
        ("Albert", "Al, Bert"),
        ("Philip", "Phil"),
        ("Leonard", "Len, Leo"),
        ("Vincent", "Vince"),
        ("Francis", "Frank"),
        ("Mary", "Molly, Mae"),
        ("Patricia", "Pat, Patty, Trish"),
        ("Jennifer", "Jen, Jenny"),
        ("Barbara", "Barb"),
        ("Susan", "Sue, Susie"),
        ("Jessica", "Jess, Jessie"),
        ("Margaret", "Maggie, Meg, Peggy"),
        ("Rebecca", "Becky, Becca"),
        ("Victoria", "Vicky, Tori"),
        ("Deborah", "Deb, Debbie"),
        ("Samantha", "Sam"),
        ("Christina", "Chris, Tina"),
        ("Abigail", "Abby"),
        ("Alexandra", "Alex, Sasha, Lexi"),
        ("Jacqueline", "Jackie"),
        ("Kimberly", "Kim"),
        ("Dorothy", "Dot, Dottie"),
        ("Amanda", "Mandy"),
        ("Melissa", "Mel, Missy"),
        ("Stephanie", "Steph"),
        ("Nicole", "Nikki"),
        ("Emily", "Em"),
        ("Megan", "Meg"),
        ("Cynthia", "Cindy"),
        ("Judith", "Judy"),
        ("Johannes", "Hannes, Hans"),
        ("Wolfgang", "Wolf"),
        ("Friedrich", "Fritz"),
        ("Matthias", "Matze"),
        ("Tobias", "Tobi"),
        ("Sebastian", "Basti"),
        ("Maximilian", "Max"),
        ("Katharina", "Kathi"),
        ("Franziska", "Franzi"),
        ("Susanne", "Susi"),
        ("Ursula", "Uschi"),
        ("José", "Pepe"),
        ("Francisco", "Paco, Pancho, Chico"),
        ("Alejandro", "Álex"),
        ("Manuel", "Manolo"),
        ("Jesús", "Chuy"),
        ("Guillermo", "Memo"),
        ("Ignacio", "Nacho"),
        ("Enrique", "Quique"),
        ("Antonio", "Toni"),
        ("Guadalupe", "Lupe"),
        ("Dolores", "Lola"),
        ("Concepción", "Concha"),
        ("Rosario", "Charo"),
        ("Mercedes", "Merche"),
        ("Willem", "Wim"),
        ("Hendrik", "Henk"),
        ("Cornelis", "Kees"),
        ("Giuseppe", "Beppe, Peppe"),
        ("Giovanni", "Gianni"),
        ("Francesco", "Franco"),
        ("Alessandro", "Sandro"),
        ("Massimo", "Max"),
        ("Domenico", "Mimmo"),
        ("Vincenzo", "Enzo"),
        ("Beatrice", "Bea"),
        ("Giuseppina", "Pina"),
        ("Eduardo", "Dudu"),
        ("Beatriz", "Bia"),
        ("Chukwuemeka", "Emeka"),
        ("Oluwaseun", "Seun"),
        ("Oluwatobi", "Tobi"),
        ("Adebayo", "Bayo"),
        ("Babatunde", "Tunde"),
        ("Olusegun", "Segun"),
        ("Chiamaka", "Amaka"),
        ("Adaeze", "Ada"),
        ("Funmilayo", "Funmi"),
        ("Folasade", "Sade"),
        ("Oluwakemi", "Kemi"),
        ("Temitope", "Tope"),
        ("Ifeoma", "Ify"),
        ("Ikechukwu", "Ike"),
        ("Tochukwu", "Tochi"),
        ("Damilola", "Dami"),
        ("Abhishek", "Abhi"),
        ("Venkatesh", "Venky"),
        ("Aishwarya", "Ash"),
    )
}

# --- companies ---------------------------------------------------------------------------------

BRAND_HEADS = _words("""
    Blue, Iron, Silver, North, Red, Oak, Stone, Bright, Clear, Swift, Summit, River, Pine,
    Cedar, Maple, Falcon, Eagle, Harbor, Crest, Sun, Green, Gold, West, East, High, Deep,
    Star, Moon, Frost, Copper, Granite, Willow, Aspen, Birch, Coral, Amber, Violet, Arrow,
    Hawk, Lion, Wolf, Bear, Fox, Raven, Orbit, Nova, Terra, Aqua, Sky, Storm
    """)
BRAND_TAILS = _words("""
    field, gate, point, wood, bridge, stone, line, view, wave, peak, works, craft, path, port,
    forge, light, haven, brook, ridge, star, vale, mark, way, side, crest, well, shore, stream,
    rock, grove
    """)
BRANDS = _words("""
    Acme, Vertex, Zenith, Novus, Quantix, Altura, Corvid, Globex, Initech, Vandelay, Umbra,
    Helix, Axiom, Lumina, Meridian, Solara, Veridian, Kestrel, Paragon, Halcyon, Arcadia,
    Nimbus, Polaris, Sirius, Tessera, Cobalt, Obsidian, Ardent, Cygnus, Lyra, Orion, Vega,
    Kairos, Aurora, Boreal, Caldera, Equinox, Fathom, Gossamer, Innova, Juniper, Keystone,
    Lodestar, Monarch, Nexus, Onyx, Pinnacle, Quasar, Radiant, Sapphire, Tundra, Ultima,
    Vireo, Wavecrest, Xylo, Yonder, Zephyr, Sakura, Hikari, Fujimoto, Rheinwerk, Nordstahl,
    Bellavista, Ferrante, Alhambra, Tejo, Zuiderzee, Kilimanjaro, Ganges, Yangtze
    """)

# Industry -> the words a company of it puts after its brand.
INDUSTRIES: dict[str, tuple[str, ...]] = {
    "Software": _words("Software, Systems, Technologies, Labs, Digital, Data, Cloud"),
    "Financial Services": _words("Capital, Financial, Partners, Investments, Bank"),
    "Insurance": _words("Insurance, Assurance, Mutual"),
    "Manufacturing": _words("Industries, Manufacturing, Machines, Components, Works"),
    "Automotive": _words("Motors, Automotive, Mobility"),
    "Healthcare": _words("Health, Medical, Care, Clinics"),
    "Pharmaceuticals": _words("Pharma, Biotech, Therapeutics, Life Sciences"),
    "Retail": _words("Retail, Stores, Brands, Market"),
    "Food & Beverage": _words("Foods, Beverages, Farms, Kitchens"),
    "Logistics": _words("Logistics, Freight, Shipping, Transport"),
    "Energy": _words("Energy, Power, Solar, Renewables"),
    "Consulting": _words("Consulting, Advisory, Associates, Group"),
    "Media": _words("Media, Studios, Publishing"),
    "Telecommunications": _words("Telecom, Communications, Networks"),
    "Real Estate": _words("Properties, Realty, Estates"),
    "Education": _words("Learning, Education, Academy"),
    "Construction": _words("Construction, Builders, Engineering"),
    "Chemicals": _words("Chemicals, Materials, Polymers"),
}

# Company country -> (weight, legal forms as registered, as the directory writes them).
COMPANY_COUNTRIES: dict[str, tuple[float, tuple[str, ...]]] = {
    "US": (0.36, ("Inc.", "Corporation", "LLC", "Inc.", "Co.")),
    "GB": (0.12, ("Ltd", "plc", "Limited")),
    "DE": (0.11, ("GmbH", "AG", "SE", "GmbH & Co. KG")),
    "FR": (0.07, ("S.A.", "SAS", "SARL")),
    "NL": (0.06, ("B.V.", "N.V.")),
    "ES": (0.05, ("S.A.", "S.L.")),
    "IT": (0.05, ("S.p.A.", "S.r.l.")),
    "JP": (0.05, ("K.K.", "Co., Ltd.")),
    "IN": (0.05, ("Pvt. Ltd.", "Limited")),
    "BR": (0.04, ("Ltda.", "S.A.")),
    "NG": (0.02, ("Ltd", "Plc")),
    "CH": (0.02, ("AG", "SA")),
}

# Legal form -> how address books write it instead (the matcher must see through all of them).
LEGAL_VARIANTS: dict[str, tuple[str, ...]] = {
    "Inc.": ("Inc", ", Inc.", "Incorporated", "INC"),
    "Corporation": ("Corp.", "Corp", "Inc.", "CORP"),
    "LLC": ("L.L.C.", "Llc", ", LLC"),
    "Co.": ("Company", "Co"),
    "Ltd": ("Ltd.", "Limited", "LTD"),
    "Limited": ("Ltd", "Ltd."),
    "plc": ("PLC", "Plc", "p.l.c."),
    "Plc": ("PLC", "plc"),
    "GmbH": ("Gmbh", "GMBH", "G.m.b.H."),
    "AG": ("A.G.", "Aktiengesellschaft"),
    "SE": ("S.E.",),
    "GmbH & Co. KG": ("GmbH & Co KG", "GmbH"),
    "S.A.": ("SA", "S.A"),
    "SA": ("S.A.",),
    "SAS": ("S.A.S.",),
    "SARL": ("S.A.R.L.", "Sarl"),
    "B.V.": ("BV", "B.V"),
    "N.V.": ("NV",),
    "S.L.": ("SL", "S.L"),
    "S.p.A.": ("SpA", "S.p.A", "SPA"),
    "S.r.l.": ("Srl", "SRL"),
    "K.K.": ("KK", "Kabushiki Kaisha"),
    "Co., Ltd.": ("Co. Ltd.", "Co Ltd"),
    "Pvt. Ltd.": ("Private Limited", "Pvt Ltd"),
    "Ltda.": ("Ltda", "LTDA"),
}

# --- schools, titles, domains ---------------------------------------------------------------

# One school a line: their names hold commas.
SCHOOLS = tuple(
    line.strip()
    for line in """
    Stanford University
    Massachusetts Institute of Technology
    University of Michigan
    University of California, Berkeley
    Harvard Business School
    New York University
    University of Texas at Austin
    Georgia Institute of Technology
    Cornell University
    University of Washington
    Carnegie Mellon University
    Boston University
    University of Illinois Urbana-Champaign
    Purdue University
    Arizona State University
    London School of Economics
    University of Oxford
    University of Cambridge
    Imperial College London
    University of Manchester
    University of Edinburgh
    INSEAD
    HEC Paris
    Sciences Po
    Université Paris-Saclay
    ESSEC Business School
    ETH Zürich
    Technische Universität München
    Ludwig-Maximilians-Universität München
    RWTH Aachen
    Universität zu Köln
    WHU – Otto Beisheim School of Management
    TU Delft
    Universiteit van Amsterdam
    Erasmus Universiteit Rotterdam
    KU Leuven
    Bocconi University
    Politecnico di Milano
    Sapienza Università di Roma
    IE Business School
    Universidad Complutense de Madrid
    Universitat de Barcelona
    ESADE
    Universidade de São Paulo
    Universidade de Lisboa
    Fundação Getulio Vargas
    Indian Institute of Technology Bombay
    Indian Institute of Technology Delhi
    Indian Institute of Management Ahmedabad
    University of Delhi
    Tsinghua University
    Peking University
    Fudan University
    University of Hong Kong
    National University of Singapore
    University of Tokyo
    Keio University
    Waseda University
    University of Lagos
    University of Ibadan
    University of Cape Town
    University of Oslo
    Norwegian School of Economics
    KTH Royal Institute of Technology
    Stockholm School of Economics
    Copenhagen Business School
    University of Toronto
    McGill University
    """.splitlines()
    if line.strip()
)

BACHELORS = _words("""
    BSc Computer Science, BA Economics, BSc Business Administration, BEng Mechanical
    Engineering, BA Marketing, BSc Mathematics, BA Political Science, BSc Physics, LLB Law,
    BA Psychology, BSc Statistics, BEng Electrical Engineering, BA Communication
    """)
MASTERS = _words("""
    MBA, MSc Finance, MSc Data Science, MA International Relations, MSc Management,
    PhD Chemistry, MEng Electrical Engineering, MSc Computer Science
    """)

# Job function -> titles from junior to executive (index = seniority 0..3).
TITLES: dict[str, tuple[tuple[str, ...], ...]] = {
    "sales": (
        _words("Sales Development Representative, Inside Sales Representative"),
        _words("Account Executive, Account Manager, Key Account Manager"),
        _words("Sales Director, Head of Sales, Regional Sales Manager"),
        _words("VP Sales, Chief Revenue Officer"),
    ),
    "marketing": (
        _words("Marketing Coordinator, Marketing Specialist"),
        _words("Product Marketing Manager, Marketing Manager"),
        _words("Head of Marketing, Marketing Director"),
        _words("VP Marketing, Chief Marketing Officer"),
    ),
    "engineering": (
        _words("Software Engineer, Junior Developer"),
        _words("Senior Software Engineer, Staff Engineer, Solutions Architect"),
        _words("Engineering Manager, Head of Engineering"),
        _words("VP Engineering, Chief Technology Officer"),
    ),
    "data": (
        _words("Data Analyst, Business Analyst"),
        _words("Data Scientist, Senior Data Analyst, Data Engineer"),
        _words("Head of Data, Analytics Manager"),
        _words("Chief Data Officer, VP Analytics"),
    ),
    "finance": (
        _words("Financial Analyst, Accountant"),
        _words("Finance Manager, Controller"),
        _words("Finance Director, Head of Finance"),
        _words("Chief Financial Officer, VP Finance"),
    ),
    "operations": (
        _words("Operations Analyst, Operations Coordinator"),
        _words("Operations Manager, Project Manager, Program Manager"),
        _words("Director of Operations, Head of Operations"),
        _words("Chief Operating Officer, Managing Director"),
    ),
    "procurement": (
        _words("Buyer, Procurement Analyst"),
        _words("Category Manager, Senior Buyer, Procurement Manager"),
        _words("Head of Procurement, Procurement Director"),
        _words("Chief Procurement Officer"),
    ),
    "people": (
        _words("HR Coordinator, Recruiter"),
        _words("HR Business Partner, Talent Acquisition Manager"),
        _words("Head of People, HR Director"),
        _words("Chief People Officer"),
    ),
    "product": (
        _words("Associate Product Manager, Product Analyst"),
        _words("Product Manager, Senior Product Manager"),
        _words("Director of Product, Head of Product"),
        _words("Chief Product Officer, VP Product"),
    ),
}
FOUNDER_TITLES = _words("Founder & CEO, Co-Founder, Chief Executive Officer, Owner")

MEMBER_TITLES = _words("""
    Account Executive, Senior Account Executive, Enterprise Account Executive,
    Sales Development Representative, Customer Success Manager, Solutions Engineer,
    Partner Manager, Sales Director, Head of Partnerships, Account Manager
    """)
MEMBER_TEAMS: tuple[tuple[str, str], ...] = (
    ("Sales East", "America/New_York"),
    ("Sales West", "America/Los_Angeles"),
    ("EMEA", "Europe/London"),
    ("DACH", "Europe/Berlin"),
    ("Customer Success", "America/New_York"),
    ("Partnerships", "America/Los_Angeles"),
)

# Mail providers of persons' personal addresses; the private network uses other ones, so a
# private contact's address can never be a directory person's (the truth files rely on it).
PERSONAL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example")
PRIVATE_DOMAINS = ("inbox.example", "post.example", "home.example")
