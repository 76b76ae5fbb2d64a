import { describe, expect, it } from '@jest/globals';
import { GROUP_SEPARATOR as GS, Gs1Error, parseScan, type Gs1Scan, type ScanOptions } from '../../web/src/lib/gs1.js';
import { gs1CheckDigit, hasValidCheckDigit } from '../../web/src/lib/gs1-check-digit.js';
import { gs1DateToIso, gs1Year } from '../../web/src/lib/gs1-date.js';

const year: ScanOptions = { currentYear: 2026 };

function gs1(input: string, options = year): Gs1Scan {
  const result = parseScan(input, options);
  if (result.kind !== 'gs1') throw new Error(`read as plain: ${JSON.stringify(result)}`);
  return result;
}

function failure(input: string, options = year): Gs1Error {
  try {
    parseScan(input, options);
  } catch (error) {
    if (error instanceof Gs1Error) return error;
    throw error;
  }
  throw new Error(`no error for ${JSON.stringify(input)}`);
}

describe('GS1 check digits', () => {
  it.each([
    ['4006381333931', 'EAN-13'],
    ['036000291452', 'UPC-A'],
    ['96385074', 'EAN-8'],
    ['09506000134352', 'GTIN-14 (GS1 Digital Link example)'],
    ['106141412345678908', 'SSCC (GS1 General Specifications example)'],
  ])('accepts %s (%s)', (code) => {
    expect(hasValidCheckDigit(code)).toBe(true);
  });

  it('computes the digit from the right with weights 3, 1, 3, ...', () => {
    expect(gs1CheckDigit('400638133393')).toBe(1);
    expect(gs1CheckDigit('0950600013435')).toBe(2);
    expect(gs1CheckDigit('10614141234567890')).toBe(8);
  });

  it('refuses a wrong digit or a transposition', () => {
    expect(hasValidCheckDigit('4006381333932')).toBe(false);
    expect(hasValidCheckDigit('4006381339331')).toBe(false);
    expect(hasValidCheckDigit('40063813339a1')).toBe(false);
  });
});

describe('GS1 dates', () => {
  it.each([
    [99, 2026, 1999],
    [77, 2026, 1977], // 51 ahead: previous century
    [76, 2026, 2076], // 50 ahead: this century
    [26, 2026, 2026],
    [30, 2080, 2130], // 50 behind: next century
    [31, 2080, 2031], // 49 behind: this century
    [0, 2099, 2100],
  ])('reads YY %i in %i as %i (GS1 7.12 sliding window)', (yy, current, expected) => {
    expect(gs1Year(yy, current)).toBe(expected);
  });

  it.each([
    ['270501', '2027-05-01'],
    ['270200', '2027-02-28'], // DD 00: last day of the month
    ['280200', '2028-02-29'], // ... of a leap February
    ['271200', '2027-12-31'],
    ['280229', '2028-02-29'],
  ])('reads %s as %s', (yymmdd, iso) => {
    expect(gs1DateToIso(yymmdd, 2026)).toBe(iso);
  });

  it.each(['271301', '270001', '270230', '270229', '27051', '27O501'])('refuses %s', (yymmdd) => {
    expect(gs1DateToIso(yymmdd, 2026)).toBeUndefined();
  });
});

describe('parseScan: element strings with parentheses', () => {
  it('reads GTIN, lot, expiry and serial', () => {
    const scan = gs1('(01)09506000134352(10)ABC123(17)270501(21)SN1');
    expect(scan).toMatchObject({ gtin: '09506000134352', lot: 'ABC123', expiry: '2027-05-01', serial: 'SN1', unknown: [] });
    expect(scan.elements.map((element) => [element.ai, element.position])).toEqual([['01', 0], ['10', 18], ['17', 28], ['21', 38]]);
  });

  it('reads the GS1 General Specifications examples: SSCC, content + count, net weight', () => {
    expect(gs1('(00)106141412345678908')).toMatchObject({ sscc: '106141412345678908' });
    expect(gs1('(02)10614141000415(37)0024')).toMatchObject({ content: '10614141000415', count: '24' });
    expect(gs1('(01)09521234543213(3103)000123')).toMatchObject({ gtin: '09521234543213', netWeightKg: '0.123' });
    expect(gs1('(01)09521234543213(3102)012500')).toMatchObject({ netWeightKg: '125' });
    expect(gs1('(01)09521234543213(3100)000000')).toMatchObject({ netWeightKg: '0' });
    expect(gs1('(01)09521234543213(3105)123456')).toMatchObject({ netWeightKg: '1.23456' });
  });

  it('reads other dates and the variable AIs 240, 241, 250, 400 and 90-99', () => {
    const scan = gs1('(01)09506000134352(11)250101(13)250102(15)270600(16)270515(30)12(240)ALT-1(241)CUST9(250)S2(400)PO-1001(90)X(91)internal(99)Z');
    expect(scan).toMatchObject({ productionDate: '2025-01-01', packagingDate: '2025-01-02', bestBefore: '2027-06-30', sellBy: '2027-05-15', count: '12' });
    expect(scan.additional).toEqual({ additionalItemId: 'ALT-1', customerPartNumber: 'CUST9', secondarySerial: 'S2', customerOrderNumber: 'PO-1001', mutuallyAgreed: 'X', company91: 'internal', company99: 'Z' });
  });

  it('reports unknown AIs with their data and position, and still reads the rest', () => {
    const scan = gs1('(01)09506000134352(7003)2705011230(10)L1');
    expect(scan.unknown).toEqual([{ ai: '7003', text: '2705011230', position: 18 }]);
    expect(scan.lot).toBe('L1');
  });

  it('keeps a lot that contains parentheses not followed by digits', () => {
    expect(gs1('(10)A(B)C').lot).toBe('A(B)C');
  });

  it('refuses a wrong GTIN check digit, naming the digit', () => {
    const error = failure('(01)09506000134353(10)ABC');
    expect(error).toMatchObject({ code: 'gs1-check-digit', position: 17, ai: '01' });
  });

  it('refuses a GTIN of the wrong length, a lot over 20 characters, a character outside CSET 82, an impossible date', () => {
    expect(failure('(01)0950600013435(10)A')).toMatchObject({ code: 'gs1-length', position: 0, ai: '01' });
    expect(failure('(10)ABCDEFGHIJKLMNOPQRSTU')).toMatchObject({ code: 'gs1-length', ai: '10' });
    expect(failure('(01)09506000134352(10)AB#C')).toMatchObject({ code: 'gs1-character', position: 24, ai: '10' });
    expect(failure('(01)09506000134352(17)271301')).toMatchObject({ code: 'gs1-date', position: 20, ai: '17' });
    expect(failure('(30)12a')).toMatchObject({ code: 'gs1-character', position: 6 });
  });

  it('reads the text printed under a barcode, with spaces around the data', () => {
    expect(gs1('(01) 09506000134352 (10) ABC123 (17) 270501')).toMatchObject({ gtin: '09506000134352', lot: 'ABC123', expiry: '2027-05-01' });
    expect(failure('(01) 09506000134353')).toMatchObject({ code: 'gs1-check-digit', position: 18 });
    expect(failure('(10) A B')).toMatchObject({ code: 'gs1-character', position: 6 });
  });

  it('refuses an AI given twice with different data, and takes it twice with the same', () => {
    expect(failure('(01)09506000134352(10)A(10)B')).toMatchObject({ code: 'gs1-conflict', position: 23 });
    expect(gs1('(10)A(10)A').lot).toBe('A');
  });
});

describe('parseScan: raw element strings', () => {
  it('reads a GS1 DataMatrix scan with symbology identifier and FNC1 separators', () => {
    const scan = gs1(`]d20109506000134352${'10ABC123'}${GS}17270501${'21SN1'}`);
    expect(scan).toMatchObject({ kind: 'gs1', gtin: '09506000134352', lot: 'ABC123', expiry: '2027-05-01', serial: 'SN1', unknown: [] });
  });

  it('ends a variable element at FNC1 only, and a fixed one by its length', () => {
    const scan = gs1(`]d2010950600013435210ABC123${GS}1727050121SN1`);
    expect(scan).toMatchObject({ gtin: '09506000134352', lot: 'ABC123', expiry: '2027-05-01', serial: 'SN1' });
    expect(scan.elements.map((element) => element.position)).toEqual([3, 19, 28, 36]);
  });

  it.each([']C1', ']Q3', ']e0', ']J1'])('reads the GS1 symbology %s', (identifier) => {
    expect(gs1(`${identifier}0109506000134352${'3103'}000500`)).toMatchObject({ gtin: '09506000134352', netWeightKg: '0.5' });
  });

  it('reads FNC1 in first position and no symbology identifier as GS1', () => {
    expect(gs1(`${GS}0109506000134352`).gtin).toBe('09506000134352');
    expect(gs1(`010950600013435210LOT7${GS}21S`)).toMatchObject({ lot: 'LOT7', serial: 'S' });
    expect(gs1('0109506000134352')).toMatchObject({ gtin: '09506000134352', elements: [{ ai: '01', data: '09506000134352', position: 0 }] });
  });

  it('takes a configured separator text ("<GS>") as FNC1', () => {
    expect(gs1('0109506000134352' + '10L1<GS>21S9', { ...year, separators: ['<GS>'] })).toMatchObject({ lot: 'L1', serial: 'S9' });
  });

  it('accepts a scanner-sent FNC1 after a fixed-length element and a trailing CR/LF', () => {
    expect(gs1(`]C10109506000134352${GS}17270501\r\n`)).toMatchObject({ gtin: '09506000134352', expiry: '2027-05-01' });
  });

  it('reports an unknown AI of predefined length and reads on', () => {
    const scan = gs1(`]d20109506000134352${'3202000100'}10L`);
    expect(scan.unknown).toEqual([{ text: '3202000100', position: 19 }]);
    expect(scan.lot).toBe('L');
  });

  it('reports an unknown variable AI up to the next FNC1, never guessing its length', () => {
    const scan = gs1(`]d2010950600013435271234567${GS}10L`);
    expect(scan.unknown).toEqual([{ text: '71234567', position: 19 }]);
    expect(scan.lot).toBe('L');
  });

  it('refuses a fixed element cut short and an empty variable one, with positions in the input as given', () => {
    expect(failure(']d20109506000134352172705')).toMatchObject({ code: 'gs1-length', position: 19, ai: '17' });
    expect(failure(`]d20109506000134352${'10'}${GS}21S`)).toMatchObject({ code: 'gs1-length', position: 19, ai: '10' });
    expect(failure(']d2')).toMatchObject({ code: 'gs1-empty' });
  });
});

describe('parseScan: plain codes', () => {
  it.each([
    ['4006381333931', '04006381333931'],
    ['036000291452', '00036000291452'],
    ['96385074', '00000096385074'],
    ['09506000134352', '09506000134352'],
  ])('reads %s as a plain GTIN %s', (code, gtin) => {
    expect(parseScan(code, year)).toEqual({ kind: 'plain', plain: code, looksLikeGtin: true, gtin });
  });

  it('flags a GTIN-shaped code with a wrong check digit', () => {
    expect(parseScan('4006381333932', year)).toEqual({ kind: 'plain', plain: '4006381333932', looksLikeGtin: true });
  });

  it.each(['A-01-02', 'BOLT-M8', '12345', 'SN-0001', '(not gs1)'])('reads %s as plain text', (code) => {
    expect(parseScan(code, year)).toEqual({ kind: 'plain', plain: code, looksLikeGtin: false });
  });

  it('strips a non-GS1 symbology identifier (EAN-13 ]E0) and keeps the code', () => {
    expect(parseScan(']E04006381333931', year)).toMatchObject({ kind: 'plain', plain: '4006381333931', gtin: '04006381333931' });
  });

  it('does not take a 16-digit number with an invalid embedded GTIN for a GS1 string', () => {
    expect(parseScan('01095060001343531', year)).toMatchObject({ kind: 'plain' });
  });
});
