/** Names, countries and mail domains for buyers. A few names carry accents, apostrophes or commas on purpose. */
export const FIRST_NAMES: readonly string[] = [
  'James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'William',
  'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Chris', 'Karen', 'Daniel', 'Nancy',
  'Matthew', 'Lisa', 'Anthony', 'Betty', 'Mark', 'Sandra', 'Priya', 'Wei', 'Aisha', 'Mateo', 'Sofia', 'Lukas',
  'Emma', 'Noah', 'Olivia', 'Liam', 'Yuki', 'Hiroshi', 'Ana', 'José', 'Zoë', 'Björn', 'Chloé', 'Arjun', 'Fatima',
  'Diego', 'Ingrid', 'Kwame',
];

export const LAST_NAMES: readonly string[] = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis', 'Walker', 'Patel', 'Nguyen', 'Kim', 'Müller',
  'Schmidt', 'Rossi', 'Dubois', 'Tanaka', 'Sato', 'Kowalski', 'Novak', 'Silva', 'Singh', "O'Brien", "D'Angelo",
  'García Márquez', 'Okafor', 'Johansson',
];

/** Rare suffixes that put a comma inside the name. */
export const NAME_SUFFIXES: readonly string[] = [', Jr.', ', Sr.', ' III', ', PhD'];

export const EMAIL_DOMAINS: readonly string[] = [
  'gmail.com', 'gmail.com', 'gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'icloud.com', 'proton.me',
  'example.org', 'mail.de', 'orange.fr', 'yahoo.co.jp',
];

/** ISO 3166-1 alpha-2 codes with Amazon-like weights. */
export const COUNTRIES: readonly { readonly code: string; readonly weight: number }[] = [
  { code: 'US', weight: 48 },
  { code: 'GB', weight: 9 },
  { code: 'DE', weight: 9 },
  { code: 'IN', weight: 7 },
  { code: 'CA', weight: 5 },
  { code: 'JP', weight: 5 },
  { code: 'FR', weight: 4 },
  { code: 'IT', weight: 3 },
  { code: 'ES', weight: 3 },
  { code: 'MX', weight: 2 },
  { code: 'BR', weight: 2 },
  { code: 'AU', weight: 2 },
  { code: 'NL', weight: 1 },
];
