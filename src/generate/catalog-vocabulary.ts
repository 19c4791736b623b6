/** What products are: categories with the nouns, features and price levels that fit them. */
export interface CategoryProfile {
  /** The clean label; product rows carry messy spellings of it (see messyCategoryLabel). */
  readonly label: string;
  /** Relative share of the catalogue. */
  readonly weight: number;
  readonly medianPrice: number;
  readonly nouns: readonly string[];
  readonly features: readonly string[];
}

export const CATEGORIES: readonly CategoryProfile[] = [
  {
    label: 'Electronics',
    weight: 16,
    medianPrice: 39,
    nouns: ['headphones', 'earbuds', 'charger', 'power bank', 'speaker', 'USB cable', 'webcam', 'keyboard', 'mouse', 'monitor stand', 'smart plug', 'router'],
    features: ['Wireless', 'Bluetooth', 'Fast Charging', 'Noise Cancelling', 'USB-C', 'Portable', 'Ergonomic', '4K'],
  },
  {
    label: 'Home & Kitchen',
    weight: 14,
    medianPrice: 29,
    nouns: ['blender', 'coffee grinder', 'knife set', 'frying pan', 'cutting board', 'kettle', 'storage jars', 'air fryer', 'toaster', 'pillow', 'bath towels'],
    features: ['Stainless Steel', 'Non-Stick', 'BPA-Free', 'Cotton', 'Dishwasher Safe', 'Programmable', 'Bamboo'],
  },
  {
    label: 'Books',
    weight: 10,
    medianPrice: 14,
    nouns: ['novel', 'cookbook', 'biography', 'travel guide', 'workbook', 'picture book', 'thriller'],
    features: ['Paperback', 'Hardcover', 'Illustrated', 'Large Print', 'Annotated', 'Revised Edition'],
  },
  {
    label: 'Clothing, Shoes & Jewelry',
    weight: 12,
    medianPrice: 25,
    nouns: ['running shoes', 'hoodie', 'rain jacket', 'necklace', 'socks', 'jeans', 'sandals', 'backpack', 'watch'],
    features: ['Slim Fit', 'Waterproof', 'Breathable', 'Sterling Silver', 'Lightweight', 'Unisex'],
  },
  {
    label: 'Beauty & Personal Care',
    weight: 8,
    medianPrice: 16,
    nouns: ['face cream', 'shampoo', 'hair dryer', 'electric toothbrush', 'sunscreen', 'razor', 'serum'],
    features: ['Fragrance-Free', 'Organic', 'Travel Size', 'Sensitive Skin', 'Cordless', 'SPF 50'],
  },
  {
    label: 'Toys & Games',
    weight: 7,
    medianPrice: 22,
    nouns: ['puzzle', 'board game', 'building set', 'plush toy', 'remote control car', 'card game'],
    features: ['1000 Piece', 'Family', 'STEM', 'Rechargeable', 'Classic', 'Educational'],
  },
  {
    label: 'Sports & Outdoors',
    weight: 7,
    medianPrice: 32,
    nouns: ['yoga mat', 'water bottle', 'tent', 'dumbbells', 'bike light', 'hiking poles', 'sleeping bag'],
    features: ['Insulated', 'Adjustable', 'Non-Slip', 'Collapsible', 'Ultralight', 'All-Weather'],
  },
  {
    label: 'Tools & Home Improvement',
    weight: 6,
    medianPrice: 45,
    nouns: ['drill', 'screwdriver set', 'LED bulbs', 'tape measure', 'work light', 'stud finder'],
    features: ['Cordless', 'Heavy Duty', 'Magnetic', 'Dimmable', 'Compact', 'Professional'],
  },
  {
    label: 'Pet Supplies',
    weight: 5,
    medianPrice: 19,
    nouns: ['dog leash', 'cat tree', 'pet bed', 'litter box', 'chew toy', 'pet fountain'],
    features: ['Orthopedic', 'Retractable', 'Washable', 'Automatic', 'Reflective'],
  },
  {
    label: 'Office Products',
    weight: 5,
    medianPrice: 18,
    nouns: ['desk lamp', 'notebook', 'gel pens', 'label maker', 'paper shredder', 'desk organizer'],
    features: ['Dotted', 'Refillable', 'Quiet', 'Adjustable', 'Recycled'],
  },
  {
    label: 'Grocery & Gourmet Food',
    weight: 5,
    medianPrice: 12,
    nouns: ['coffee beans', 'green tea', 'olive oil', 'protein bars', 'hot sauce', 'honey'],
    features: ['Organic', 'Single Origin', 'Gluten-Free', 'Cold Pressed', 'Family Size'],
  },
  {
    label: 'Video Games',
    weight: 5,
    medianPrice: 49,
    nouns: ['controller', 'gaming headset', 'charging dock', 'game', 'memory card'],
    features: ['Wireless', 'RGB', 'Deluxe Edition', 'Pro', 'Low Latency'],
  },
];

export const BRANDS: readonly string[] = [
  'Acme', 'Zentek', 'Northwind', 'Lumora', 'Kestrel', 'Brightline', 'Oakhaven', 'Veloce', 'Nimbus', 'Solano',
  'Trailhead', 'Copperleaf', 'Ironbark', 'Bluefin', 'Maple & Moss', 'Quanta', 'Everpeak', 'Hollis', 'Pinecrest',
  'Aurora Labs', 'Stellar', 'Fenwick', 'Grayson', 'Morrow', 'Tidewater', 'Crescent', 'Halcyon', 'Wildroot',
  'Orbitek', 'Juniper Co.', 'Redwood', 'Sable', "Mother's Pantry", 'Citrine', 'Harbor', 'Vantage',
];

/** Title suffixes; some carry commas or inch marks so product titles exercise CSV quoting. */
export const TITLE_VARIANTS: readonly string[] = [
  '', '', '', '', ', Black', ', White', ', 2-Pack', ' (Pack of 3)', ', Large', ', Small', ' - 2024 Model',
  ' 12"', ', 15.6" Compatible', ', Gift for Men, Women', ' with Case', ', Blue',
];
