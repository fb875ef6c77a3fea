-- operations (010) with a location column, for the locations' readers (history, report,
-- export --location, the dashboard's filter): every operation once in its location, and a
-- transfer twice, 'transfer_out' of its source and 'transfer_in' to its destination
-- (operation_qt positive, the direction in operation_type, as in operations). stock is the
-- balance in that location after the row: a row of a product kept in main only
-- (place_cents NULL) reads the product's balances, which are main's. operations itself is
-- unchanged: product-level, transfers absent. A view only: an existing model upgrades in
-- place.
CREATE VIEW location_operations AS
SELECT operation_date, product_ID, operation_qt, stock, operation_type, location FROM (
SELECT l.business_date AS operation_date,
       l.product_id    AS product_ID,
       abs(l.delta_cents) / 100.0 AS operation_qt,
       iif(l.place_cents IS NULL, b.end_cents - b.net_cents + l.date_cents,
           pb.end_cents - pb.net_cents + l.place_cents) / 100.0 AS stock,
       CASE l.event_type
           WHEN 'StockSold' THEN 'sales'
           WHEN 'StockRestocked' THEN 'replenishment'
           WHEN 'StockAdjusted' THEN iif(l.delta_cents < 0, 'adjustment_out', 'adjustment_in')
           ELSE CASE WHEN l.delta_cents < 0 THEN 'count_out' WHEN l.delta_cents > 0 THEN 'count_in' ELSE 'count' END
       END AS operation_type,
       l.location AS location,
       l.partition AS _partition, l."offset" AS _offset, 0 AS _side
FROM ledger AS l
JOIN balances AS b ON b.product_id = l.product_id AND b.business_date = l.business_date
LEFT JOIN place_balances AS pb ON pb.product_id = l.product_id AND pb.location_id = l.location
    AND pb.business_date = l.business_date
WHERE l.voided_by IS NULL AND l.event_type != 'StockTransferred'
UNION ALL
SELECT l.business_date, l.product_id, l.qty_cents / 100.0,
       (pb.end_cents - pb.net_cents + l.place_cents) / 100.0,
       'transfer_out', l.location, l.partition, l."offset", 0
FROM ledger AS l
JOIN place_balances AS pb ON pb.product_id = l.product_id AND pb.location_id = l.location
    AND pb.business_date = l.business_date
WHERE l.voided_by IS NULL AND l.event_type = 'StockTransferred'
UNION ALL
SELECT l.business_date, l.product_id, l.qty_cents / 100.0,
       (pb.end_cents - pb.net_cents + l.to_cents) / 100.0,
       'transfer_in', l.to_location, l.partition, l."offset", 1
FROM ledger AS l
JOIN place_balances AS pb ON pb.product_id = l.product_id AND pb.location_id = l.to_location
    AND pb.business_date = l.business_date
WHERE l.voided_by IS NULL AND l.event_type = 'StockTransferred'
)
ORDER BY operation_date, _partition, _offset, _side;
