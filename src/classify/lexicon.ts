import { fold } from './text.ts';

/**
 * Curated insurance vocabulary: each concept fires one feature, whatever the spelling, so that the
 * model meets "bris de glace", "parebrise" and "pare-brise" as one thing even when the training corpus
 * had only one of them. Patterns run on folded text (no accents, lower case).
 */
export const LEXICON: Record<string, RegExp> = {
  // products
  auto: /\b(voiture|vehicule|auto(mobile)?|bonus[- ]?malus|carte verte|constat|garage|carrosserie|permis|controle technique|immatricul)/,
  moto: /\b(moto|scooter|deux[- ]roues|2 roues|casque|motard|cyclo|125 ?cm3|quad)/,
  habitation: /\b(habitation|logement|appartement|maison|locataire|proprietaire|degats? des eaux|fuite|infiltration|cambriol|serrure|multirisque habitation|mrh|incendie|dalle|toiture)/,
  sante: /\b(mutuelle|complementaire|tiers payant|carte vitale|optique|lunettes|lentilles|dentaire|dentiste|couronne|implant|orthodont|hospitalis|medecin|specialiste|depassement|teletransmission|noemie|kine|pharmacie)/,
  prevoyance: /\b(prevoyance|indemnites journalieres|arret de travail|invalidite|incapacite|capital deces|obseques|dependance|rente)/,
  vie: /\b(assurance[- ]vie|fonds euros?|unites de compte|rachat|arbitrage|epargne|per\b|retraite|versement|clause beneficiaire|succession|plus[- ]values?)/,
  credit: /\b(emprunteur|pret immobilier|credit|banque|delegation|loi lemoine|loi lagarde|quotite|echeances? du pret|offre de pret|aeras|droit a l.oubli)/,
  animaux: /\b(chien|chat|chiot|chaton|animal|animaux|veterinaire|veto|sterilis|vaccin|croquettes)/,
  rc_pro: /\b(rc pro|responsabilite civile pro|decennale|chantier|artisan|maitre d.ouvrage|malfacon|dommages[- ]ouvrage|perte d.exploitation|local commercial|siret|kbis|activite professionnelle)/,
  voyage: /\b(voyage|annulation du voyage|sejour|vol annule|rapatriement|assistance a l.etranger|bagages?|aeroport|hotel|billet d.avion|correspondance)/,
  protection_juridique: /\b(protection juridique|litige|avocat|honoraires|tribunal|juridique|voisin|conciliat|procedure|mise en demeure|huissier)/,
  // causes
  accueil: /\b(accueil|impoli|desagreable|mal (recu|parle)|raccroch|injoignable|personne ne repond|jamais rappele|ton (condescendant|agressif)|mepris)/,
  vente: /\b(force la main|pression|vendu sans|sans mon accord|demarchage|vente forcee|on m.a (vendu|fait signer)|demarcheur|option(s)? ajoutee)/,
  information: /\b(on ne m.a(vait)? (pas|jamais) (dit|informe|explique)|pas ete informe|mal (informe|conseille)|devoir de conseil|conditions generales|exclusion(s)? (cache|pas)|jamais explique)/,
  refus_souscription: /\b(refus(e|ent)? de (m.)?assurer|refus de souscription|ne (veut|veulent) pas m.assurer|dossier refuse a la souscription|questionnaire (medical|de sante)|surprime|ne peut pas etre assure)/,
  tarification: /\b(tarif|prix|cotisation|prime|augment|hausse|trop cher|plus cher|devis|montant (annuel|mensuel)|malus|coefficient)/,
  delai: /\b(toujours pas|aucune (nouvelle|reponse)|sans (nouvelle|reponse)|depuis (des|plusieurs)? ?(semaines|mois|jours)|relance|attends? (toujours|encore|depuis)|delai|en attente|trop long|jamais (recu|repondu))/,
  qualite_reponse: /\b(reponse (type|incomprehensible|vague|incompl|fausse|errone)|contradictoire|ne repond pas a (ma|mes) question|copier[- ]coller|lettre type|pas (de|d.) explication|mauvaise (information|reponse))/,
  indemnisation: /\b(indemnis|rembours|franchise|expert|sinistre|prise en charge|refus de (garantie|prise)|vetuste|plafond|pas couvert|non couvert|montant (propose|verse|rembourse))/,
  resiliation: /\b(resili|resilier|hamon|chatel|lemoine|mettre fin|preavis|echeance annuelle|renouvellement|reconduction|toujours preleve apres)/,
  gestion_contrat: /\b(attestation|avenant|changement d.adresse|prelevement|rib|echeancier|carte verte|releve d.information|modifier (mon|le) contrat|ajouter|avis d.echeance|documents?|mensualis)/,
  // kind: dissatisfaction vs request
  mecontentement: /\b(inadmissible|inacceptable|scandal|honte|honteux|decu|mecontent|furieux|colere|exige|j.exige|plainte|reclamation|abus|n.importe quoi|incompetent|ras le bol|marre|lamentable|pas normal|injuste)/,
  requete: /\b(pourriez[- ]vous|pouvez[- ]vous|pourrais[- ]je|je souhaite(rais)?|je voudrais|merci de (bien vouloir )?m.(envoyer|adresser|indiquer)|quel(le)? est|comment (faire|puis|dois)|est[- ]ce que|savoir si|renseignement|information sur|un devis|me (communiquer|transmettre))/,
  // priority signals
  menace: /\b(mediateur|mediation|acpr|avocat|tribunal|justice|plainte|ufc|que choisir|association de consommateurs|60 millions|presse|journaliste|reseaux sociaux|twitter|facebook|proces|assignation)/,
  repetition: /\b((deuxieme|troisieme|3e|2e|quatrieme|enieme|dixieme) (fois|relance|courrier|mail)|je vous ai deja (ecrit|appele|relance)|deja (signale|reclame|ecrit)|plusieurs relances|sans reponse a mes)/,
  vulnerable: /\b(handicap|invalide a|personne agee|age de (8|9)\d|chomage|rsa|malade|cancer|chimio|veuve?|deces de mon|seul(e)? avec|precarite|surendett)/,
  urgence: /\b(urgent|urgence|hospitalis|operation|chirurgie|chimio|inhabitable|a la rue|relog|expuls|huissier|saisie|audience|demain|immobilis|sans (voiture|vehicule) pour (aller )?travailler|bloque a l.etranger|rapatri)/,
};

export function lexiconFeatures(text: string): string[] {
  const f = fold(text);
  const out: string[] = [];
  for (const [name, re] of Object.entries(LEXICON)) if (re.test(f)) out.push(`LEX:${name}`);
  return out;
}
