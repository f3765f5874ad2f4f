package io.mlconnector.mapping;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Records shaped like reference/freshbooks-api.md §4 (the object inside the response envelope); public for the Power BI ITs. */
public final class FreshBooksFixtures {

    public static final String TENANT = "ACM123";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private FreshBooksFixtures() {
    }

    public static JsonNode json(String text) {
        return JSON.readTree(text);
    }

    /** The reference's invoice: 20.00 + 24.00 lines, 10 % discount, 13 % tax → 41.94, paid 20.00, outstanding 21.94. */
    public static final String INVOICE = """
            {"id":987654,"invoiceid":987654,"accountid":"ACM123","invoice_number":"ACM0002",
             "customerid":12345,"organization":"Gordon Shumway","currency_code":"CAD","code":"M5V 2T6",
             "create_date":"2021-04-16","due_offset_days":0,"due_date":"2021-04-16","date_paid":null,
             "amount":{"amount":"41.94","code":"CAD"},"paid":{"amount":"20.00","code":"CAD"},
             "outstanding":{"amount":"21.94","code":"CAD"},"discount_total":{"amount":"-4.40","code":"CAD"},
             "net_paid_amount":{"amount":"7.60133524082021936099189318","code":"CAD"},
             "status":8,"v3_status":"partial","payment_status":"partial","display_status":"sent",
             "created_at":"2021-04-16 10:31:19","updated":"2021-04-16 10:31:58","vis_state":0,
             "lines":[
               {"lineid":1,"invoiceid":987654,"type":0,"name":"Bowls","description":"Hand-made","qty":"4",
                "unit_cost":{"amount":"5.00","code":"CAD"},"amount":{"amount":"20.00","code":"CAD"},
                "taxName1":"HST1","taxAmount1":"13","taxName2":null,"taxAmount2":"0","updated":"2021-04-16 10:31:19"},
               {"lineid":2,"invoiceid":987654,"type":1,"name":"Plates","description":"","qty":"2",
                "unit_cost":{"amount":"12.00","code":"CAD"},"amount":{"amount":"24.00","code":"CAD"},
                "taxName1":null,"taxAmount1":"0","taxName2":null,"taxAmount2":"0","expenseid":555}
             ]}
            """;

    /** The reference's Postman payment (§4.2). */
    public static final String PAYMENT = """
            {"accounting_systemid":"wkMd2g","amount":{"amount":"180.00","code":"USD"},"clientid":31006,
             "date":"2019-04-19","from_credit":false,"id":10318,"invoiceid":34420,"logid":10318,
             "note":"Paid in full","overpaymentid":10320,"type":"Check","updated":"2019-04-24 14:22:18","vis_state":0}
            """;

    /** An expense fetched with include[]=category; updated falls in the 2021 fall-back hour (ambiguous). */
    public static final String EXPENSE = """
            {"id":7001,"expenseid":7001,"categoryid":3421,"clientid":12345,"projectid":0,"invoiceid":0,
             "staffid":1,"accountid":null,"account_name":"Chequing","bank_name":"RBC","vendor":"Staples",
             "date":"2021-11-06","amount":{"amount":"113.00","code":"CAD"},
             "taxName1":"HST","taxPercent1":"13","taxAmount1":{"amount":"13.00","code":"CAD"},
             "taxName2":null,"taxPercent2":null,"taxAmount2":null,
             "notes":"Printer paper","status":0,"billable":false,"has_receipt":true,"is_cogs":false,
             "category":{"categoryid":3421,"category":"Office Supplies","parentid":3400},
             "updated":"2021-11-07 01:30:00","vis_state":2}
            """;

    public static final String BILL = """
            {"id":1626,"bill_number":"B-100","vendorid":88,"issue_date":"2021-06-01","due_date":"2021-07-01",
             "due_offset_days":30,"currency_code":"USD","language":"en",
             "amount":{"amount":"4000.00","code":"USD"},"tax_amount":{"amount":"520.00","code":"USD"},
             "total_amount":{"amount":"4520.00","code":"USD"},"paid":{"amount":"4000.00","code":"USD"},
             "outstanding":{"amount":"520.00","code":"USD"},"status":"partial",
             "overall_category":"Rent","overall_description":"June rent",
             "created_at":"2021-06-01 12:00:00","updated_at":"2021-06-16 18:05:07","vis_state":0,
             "lines":[{"categoryid":3500,"category":{"categoryid":3500,"category":"Rent or Lease"},"list_index":1,
               "description":"Office rent","quantity":"1","unit_cost":{"amount":"4000.00","code":"USD"},
               "amount":{"amount":"4000.00","code":"USD"},"total_amount":{"amount":"4520.00","code":"USD"},
               "tax_name1":"HST","tax_percent1":"13","tax_amount1":{"amount":"520.00","code":"USD"},
               "tax_name2":null,"tax_percent2":null,"tax_amount2":null}],
             "bill_payments":[
               {"amount":{"amount":"4000.00","code":"USD"},"billid":1626,"id":1490,"matched_with_expense":false,
                "note":"June","paid_date":"2021-06-16","payment_type":"Check","vis_state":0},
               {"amount":{"amount":"1.00","code":"USD"},"billid":1626,"id":1491,"matched_with_expense":false,
                "note":"entered by mistake","paid_date":"2021-06-16","payment_type":"Cash","vis_state":1}]}
            """;

    public static final String CLIENT = """
            {"id":12345,"userid":12345,"organization":"Gordon Shumway","fname":"Gordon","lname":"Shumway",
             "email":"alf@example.com","currency_code":"CAD","p_city":"Toronto","p_province":"Ontario",
             "p_country":"Canada","signup_date":"2020-01-15 17:00:00","updated":"2021-03-14 03:15:00","vis_state":0}
            """;

    public static final String VENDOR = """
            {"vendorid":88,"vendor_name":"Acme Properties","account_number":"AC-9","primary_contact_email":"rent@acme.test",
             "city":"Ottawa","province":"Ontario","country":"Canada","currency_code":"USD","is_1099":false,
             "created_at":"2021-05-01 09:00:00","updated_at":"2021-05-02 10:00:00","vis_state":0}
            """;

    public static final String LEDGER_ACCOUNT = """
            {"uuid":"8f6d1e2a-0000-4000-8000-000000000001","name":"Cash","number":"1000-1","description":"Petty cash",
             "type":"asset","sub_type":"Cash & Bank","system_account_name":null,
             "parent_account":"8f6d1e2a-0000-4000-8000-000000000000","sub_accounts":[],"auto_created":true,
             "state":"active","updated_at":"2023-04-27T14:33:48.841075Z"}
            """;

    public static final String CATEGORY = """
            {"id":3421,"categoryid":3421,"category":"Office Supplies","parentid":3400,"is_cogs":false,
             "is_editable":true,"created_at":"2020-01-01 00:00:00","updated_at":"2021-07-04 12:00:00","vis_state":0}
            """;
}
